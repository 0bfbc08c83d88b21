"""The command lines end an error or Ctrl-C in one line, and keep the traceback on request."""

import pytest

from seqlib import claims, experiments


def _interrupted(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_in_the_runner_says_that_a_rerun_resumes(monkeypatch, tmp_path):
    monkeypatch.setattr(experiments, "run_experiments", _interrupted)
    with pytest.raises(SystemExit) as stop:
        experiments.main(["--models", "gru", "--out", str(tmp_path)])
    assert str(stop.value.code).startswith("python -m seqlib.experiments: interrupted. Every finished run is saved")
    assert "the same command again runs only the missing ones" in str(stop.value.code)


def test_a_broken_record_ends_the_claims_command_in_one_line(monkeypatch, tmp_path):
    folder = tmp_path / "full"
    folder.mkdir()
    (folder / "gru-merra2-seed0.json").write_text('{"model": "gru", "se')  # cut off mid-write
    monkeypatch.delenv("SEQLIB_TRACEBACK", raising=False)
    with pytest.raises(SystemExit) as stop:
        claims.main(["--out", str(tmp_path), "--profile", "full"])
    message = str(stop.value.code)
    assert message.startswith("python -m seqlib.claims: ") and "\n" not in message
    assert message.endswith("(SEQLIB_TRACEBACK=1 shows the traceback)")


def test_seqlib_traceback_keeps_the_error(monkeypatch, tmp_path):
    monkeypatch.setattr(experiments, "run_experiments", _interrupted)
    monkeypatch.setenv("SEQLIB_TRACEBACK", "1")
    with pytest.raises(KeyboardInterrupt):
        experiments.main(["--models", "gru", "--out", str(tmp_path)])
