"""Tests of seqlib.tables: the chapters' Markdown tables of runs and verdicts."""

import pytest

from seqlib import claims, results, tables


def _rows():
    records = [{"model": model, "title": title, "seed": seed, "profile": "full", "metric": "mae",
                "dataset": {"key": "merra2", "title": "M"}, "epoch_seconds": [1.0, 1.0],
                "best_value": value + seed / 100, "test": value, "baseline_test": 0.35, "seconds_per_batch": 0.05}
               for model, title, value in (("gru", "GRU", 0.31), ("conv_gru", "conv+GRU hybrid", 0.315))
               for seed in (0, 1, 2)]
    return results.summarise(records)


def test_summary_markdown_shows_means_ranges_and_ratios():
    table = tables.summary_markdown(_rows(), ["epochs", "best_value", "test", "ratio_test", "seconds_per_batch",
                                              "baseline_val"])
    lines = table.splitlines()
    assert lines[0] == "| model | epochs run | best val | test | test / baseline | ms / step | baseline val |"
    assert lines[2] == "| GRU | 2 | 0.320 (0.310–0.330) | 0.310 | 0.89 | 50 | – |"
    with pytest.raises(ValueError, match="Unknown columns \\['speed'\\]"):
        tables.summary_markdown(_rows(), ["speed"])


def test_overlapping_names_the_rows_whose_range_overlaps_the_best():
    gru, hybrid = _rows()
    assert tables.overlapping([gru, hybrid], "best_value", gru) == ["conv+GRU hybrid"]


def test_claims_markdown_lists_every_claim_with_its_rule_and_verdicts():
    verdict = claims.Verdict("a", "merra2", "test", True, 3, 3, {}, "pure convnet MAE 0.5 against 0.35")
    text = tables.claims_markdown([verdict], {"merra2": "MERRA-2"})
    assert "**(a) The pure convnet cannot beat" in text and "- ✓ on MERRA-2, test: pure convnet MAE" in text
    assert text.count("not judged") == len(claims.CLAIMS) - 1
    assert tables.claim_marks([verdict], "a", {"merra2": "MERRA-2"}) == "✓ on MERRA-2 (test)"
    assert tables.claim_marks([verdict], "b", {}) == "not judged"


def test_claims_outcome_says_which_claims_hold_everywhere():
    def verdict(key, condition, holds):
        return claims.Verdict(key, "merra2", condition, holds, 0, 0, {}, "")
    verdicts = [verdict("a", "test", True), verdict("a", "val", True), verdict("b", "test", True),
                verdict("b", "val", False), verdict("e", "test", True)]
    assert tables.claims_outcome(verdicts) == "claims (a) and (e) hold; claim (b) does not"
    assert tables.claims_outcome([]) == "no claim could be judged"
