import pytest

from seqlib import config


def test_default_profile_is_full(monkeypatch):
    monkeypatch.delenv("SEQLIB_PROFILE", raising=False)
    assert config.get_profile().name == "full"
    assert config.get_profile().weather_max_epochs == 40 and config.get_profile().patience == 4
    assert config.get_profile().steps_per_epoch == 500


def test_environment_selects_quick(monkeypatch):
    monkeypatch.setenv("SEQLIB_PROFILE", " Quick ")
    profile = config.get_profile()
    assert profile.name == "quick"
    full = config.PROFILES["full"]
    assert profile.imdb_max_epochs < full.imdb_max_epochs
    assert profile.steps_per_epoch < full.steps_per_epoch


def test_argument_beats_environment(monkeypatch):
    monkeypatch.setenv("SEQLIB_PROFILE", "quick")
    assert config.get_profile("full").name == "full"


def test_unknown_profile_names_the_choices(monkeypatch):
    monkeypatch.setenv("SEQLIB_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"'fast'.*\['full', 'quick'\]"):
        config.get_profile()


def test_profile_shows_itself_as_a_table():
    html = config.PROFILES["quick"]._repr_html_()
    assert "<table>" in html and "steps_per_epoch" in html and "quick" in html
