"""Tests of `python -m tools.notebooks` (make notebooks, make book): what it chooses to execute,
what it says first, the one message when the data cannot be had, the one line when a notebook
is broken or Ctrl-C stops it, and the records it runs on. Nothing is executed here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tools import notebooks
from tools.chapters import chapters
from tools.provenance import (FRESH, STALE, UNRECORDED, UNRECORDED_REASON, Freshness,
                              NotebookError)

BROKEN = "chapters/03_conv_gru_hybrid.ipynb is not a valid notebook (...): the fix"


def _never(chapter, progress, results_dir):
    raise AssertionError(f"{chapter.name} was executed")


@pytest.fixture
def states(monkeypatch):
    """Chapter 1 stale (recorded, 9 min), chapter 2 unrecorded, the others fresh."""
    record = {"wall_seconds": 552.0}
    table = {chapter.name: Freshness(chapter, FRESH, (), record) for chapter in chapters()}
    first, second = list(table)[:2]
    table[first] = Freshness(table[first].chapter, STALE, ("seqlib/windows.py changed",), record)
    table[second] = Freshness(table[second].chapter, UNRECORDED, (UNRECORDED_REASON,), None)
    monkeypatch.setattr(notebooks, "freshness", lambda chapter: table[chapter.name])
    monkeypatch.setattr(notebooks, "execute", _never)
    return table


def test_book_uses_unrecorded_outputs_and_names_what_it_executes(states, offline, tmp_path,
                                                                 monkeypatch, capsys):
    monkeypatch.setenv("SEQLIB_DATA_DIR", str(tmp_path))
    assert notebooks.main(["--book"]) == 1  # chapter 1's data cannot be had: stops before running
    out, err = capsys.readouterr()
    assert "Using the committed outputs of 02_conv_forecaster although they hold no" in out
    assert ("1 chapter(s) to execute in the full profile, about 9 min 12 s by their last runs:\n"
            "  chapters/01_imdb_convnet (last run 9 min 12 s): seqlib/windows.py changed") in out
    assert err.startswith(f"Cannot execute them: these data files are not in {tmp_path}")
    assert "  chapters/01_imdb_convnet needs imdb.npz and imdb_word_index.json" in err
    assert "SEQLIB_DATA_DIR=that/folder" in err and "Traceback" not in err


def test_data_message_names_every_chapter_and_the_alternatives(states, offline, tmp_path,
                                                               monkeypatch, capsys):
    monkeypatch.setenv("SEQLIB_DATA_DIR", str(tmp_path))
    assert notebooks.main(["01_imdb_convnet", "chapters/02_conv_forecaster.md"]) == 1
    err = capsys.readouterr().err
    assert ("  chapters/02_conv_forecaster needs jena_climate_2009_2016.csv.zip or "
            "brightwind-2.7.0-py3-none-any.whl") in err
    assert "    imdb.npz: https://storage.googleapis.com/" in err


def test_default_takes_stale_and_unrecorded_chapters(states, monkeypatch, capsys):
    monkeypatch.setattr(notebooks, "_missing_data", lambda chosen: ["stop here"])
    assert notebooks.main([]) == 1
    out = capsys.readouterr().out
    assert "2 chapter(s) to execute" in out and "no run recorded" in out


def test_force_takes_every_chapter(states, monkeypatch, capsys):
    monkeypatch.setattr(notebooks, "_missing_data", lambda chosen: ["stop here"])
    notebooks.main(["--force"])
    assert f"{len(states)} chapter(s) to execute" in capsys.readouterr().out


def test_nothing_stale_executes_nothing(states, monkeypatch, capsys):
    for name, state in states.items():
        states[name] = dataclasses.replace(state, state=FRESH, reasons=())
    assert notebooks.main(["--book"]) == 0
    assert "No chapter to execute" in capsys.readouterr().out


def test_an_unknown_chapter_is_refused_with_the_list(capsys):
    assert notebooks.main(["06_nothing"]) == 2
    err = capsys.readouterr().err
    assert "No chapter is called 06_nothing. The chapters: 01_imdb_convnet" in err


def _third_broken(states):
    def freshness(chapter):
        if chapter.short == "03_conv_gru_hybrid":
            raise NotebookError(BROKEN)
        return states[chapter.name]

    return freshness


def test_a_broken_notebook_stops_it_in_one_line_unless_named(states, monkeypatch, capsys):
    monkeypatch.setattr(notebooks, "freshness", _third_broken(states))
    monkeypatch.setattr(notebooks, "_missing_data", lambda chosen: ["stop here"])
    assert notebooks.main([]) == 1
    assert capsys.readouterr().err == BROKEN + "\n"
    assert notebooks.main(["03_conv_gru_hybrid"]) == 1  # stopped by _missing_data: planned
    assert (f"  chapters/03_conv_gru_hybrid (no run recorded): {notebooks.REMADE}"
            in capsys.readouterr().out)


def test_ctrl_c_names_the_chapter_kept_and_the_command_that_resumes(states, monkeypatch, capsys):
    monkeypatch.setattr(notebooks, "_missing_data", lambda chosen: [])

    def interrupted_at_the_second(chapter, progress, results_dir):
        if chapter.short != "01_imdb_convnet":
            raise KeyboardInterrupt
        return {"wall_seconds": 60.0}

    monkeypatch.setattr(notebooks, "execute", interrupted_at_the_second)
    assert notebooks.main(["--force"]) == 130
    out, err = capsys.readouterr()
    assert "chapters/01_imdb_convnet: done in 1 min" in out
    rest = " ".join(chapter.short for chapter in chapters()[1:])
    assert err == ("\nInterrupted: chapters/02_conv_forecaster was not written, its committed "
                   f'files are unchanged; to resume: make notebooks CHAPTERS="{rest}"\n')


@pytest.mark.parametrize("argv, folder", [([], None),
                                          (["--results-dir", "elsewhere"], "elsewhere")],
                         ids=["the committed records", "--results-dir"])
def test_the_records_it_runs_on(states, monkeypatch, argv, folder):
    monkeypatch.setattr(notebooks, "_missing_data", lambda chosen: [])
    folders = []

    def record_folder(chapter, progress, results_dir):
        folders.append(results_dir)
        return {"wall_seconds": 1.0}

    monkeypatch.setattr(notebooks, "execute", record_folder)
    assert notebooks.main(["01_imdb_convnet", *argv]) == 0
    assert folders == [None if folder is None else Path(folder)]
