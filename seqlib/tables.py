"""Markdown tables of runs for the chapters: one row per model, numbers over seeds.

Light on purpose: it formats `seqlib.results.summarise` rows and imports no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seqlib.claims import CLAIMS, CONDITIONS, Verdict
from seqlib.results import Spread

__all__ = ["COLUMNS", "summary_markdown", "overlapping", "claims_markdown", "claim_marks", "claims_outcome",
           "forecaster_comparison"]

COLUMNS = {
    "timesteps": ("timesteps", ".0f", 1.0),
    "parameters": ("parameters", ",.0f", 1.0),
    "epochs": ("epochs run", ".0f", 1.0),
    "best_epoch": ("best epoch", ".0f", 1.0),
    "best_value": ("best val", ".3f", 1.0),
    "baseline_val": ("baseline val", ".3f", 1.0),
    "test": ("test", ".3f", 1.0),
    "baseline_test": ("baseline test", ".3f", 1.0),
    "seconds_per_epoch": ("s / epoch", ".1f", 1.0),
    "seconds_per_batch": ("ms / step", ".0f", 1000.0),
}
"""Record field -> (column heading, number format, scale)."""


def _cell(row: dict[str, Any], field: str) -> str:
    if field == "ratio_test":
        if "test" not in row or "baseline_test" not in row:
            return "–"
        return f"{row['test'].mean / row['baseline_test'].mean:.2f}"
    if field not in row:
        return "–"
    _, spec, scale = COLUMNS[field]
    return format(Spread(tuple(scale * value for value in row[field].values)), spec)


def summary_markdown(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    """A Markdown table of summary rows (`results.summarise`): one line per model.

    Each cell is the mean over seeds with its range, "0.318 (0.317–0.319)", or the value
    alone for one seed. ``"ratio_test"`` is the test score over the baseline's (means).

    Raises:
        ValueError: for an unknown field.
    """
    unknown = [field for field in fields if field not in COLUMNS and field != "ratio_test"]
    if unknown:
        raise ValueError(f"Unknown columns {unknown}. Use some of {[*COLUMNS, 'ratio_test']}.")
    headings = [COLUMNS[field][0] if field in COLUMNS else "test / baseline" for field in fields]
    lines = ["| model | " + " | ".join(headings) + " |", "|---" * (len(fields) + 1) + "|"]
    for row in rows:
        lines.append(f"| {row['title']} | " + " | ".join(_cell(row, field) for field in fields) + " |")
    return "\n".join(lines)


def overlapping(rows: Sequence[dict[str, Any]], field: str, best: dict[str, Any]) -> list[str]:
    """Titles of the rows whose range of ``field`` overlaps the ``best`` row's (best excluded)."""
    return [row["title"] for row in rows if row is not best and field in row
            and row[field].overlaps(best[field])]


def claims_markdown(verdicts: Sequence[Verdict], dataset_names: dict[str, str]) -> str:
    """Every claim with its rule and its verdicts (one line per dataset and condition), as Markdown."""
    lines = []
    for claim in CLAIMS:
        lines.append(f"**({claim.key}) {claim.statement}** Holds if {claim.rule}.\n")
        judged = [verdict for verdict in verdicts if verdict.claim == claim.key]
        for verdict in judged:
            name = dataset_names.get(verdict.dataset, verdict.dataset)
            lines.append(f"- {verdict.mark} on {name}, {CONDITIONS[verdict.condition]}: {verdict.detail}.")
        if not judged:
            lines.append("- not judged: the results lack the runs this claim needs.")
        lines.append("")
    return "\n".join(lines)


def claim_marks(verdicts: Sequence[Verdict], key: str, dataset_names: dict[str, str]) -> str:
    """One claim's verdicts in a few words: "✓ on IMDB (test), ✗ on IMDB (validation)"."""
    marks = [f"{v.mark} on {dataset_names.get(v.dataset, v.dataset)} ({CONDITIONS[v.condition]})"
             for v in verdicts if v.claim == key]
    return ", ".join(marks) or "not judged"


def claims_outcome(verdicts: Sequence[Verdict]) -> str:
    """Which claims hold under every condition judged, in one sentence.

    A claim counts as holding only if all its verdicts (datasets, splits, compile
    policies) hold; ``"claims (a), (b) and (e) hold; claims (c) and (d) do not"``.
    """
    def named(keys: list[str]) -> str:
        marks = [f"({key})" for key in keys]
        listed = marks[0] if len(marks) == 1 else ", ".join(marks[:-1]) + " and " + marks[-1]
        return ("claim " if len(marks) == 1 else "claims ") + listed

    judged = {claim.key: [v.holds for v in verdicts if v.claim == claim.key] for claim in CLAIMS}
    held = [key for key, holds in judged.items() if holds and all(holds)]
    failed = [key for key, holds in judged.items() if holds and not all(holds)]
    parts = []
    if held:
        parts.append(f"{named(held)} {'holds' if len(held) == 1 else 'hold'}")
    if failed:
        parts.append(f"{named(failed)} {'does' if len(failed) == 1 else 'do'} not")
    return "; ".join(parts) or "no claim could be judged"


def forecaster_comparison(rows: Sequence[dict[str, Any]], dataset_title: str) -> str:
    """Chapter 4's comparison of the forecasters over seeds: a table and its verdict, in Markdown.

    The verdict names the lowest mean validation MAE and the models whose range over seeds
    overlaps it; without rows, the text says the comparison awaits the experiments.
    """
    if not rows:
        return (f"**No results yet for {dataset_title}.** This comparison awaits "
                "`python -m seqlib.experiments`, which trains every model of the book over several "
                "seeds and writes the runs to `results/`; run it, then run this cell again.")
    best = min(rows, key=lambda row: row["best_value"].mean)
    ties = overlapping(rows, "best_value", best)
    verdict = f"The lowest mean validation MAE: **{best['title']}**" + (
        f", but its range over seeds overlaps the {' and the '.join(ties)}'s: no clear winner between them."
        if ties else ", and no other range overlaps it.")
    fields = ["timesteps", "parameters", "best_value", "baseline_val", "test", "ratio_test", "seconds_per_epoch"]
    return (summary_markdown(rows, fields) + f"\n\nMean (min–max) over {rows[0]['n']} seeds, "
            f"{rows[0]['profile']} profile; the baseline is scored on each model's own windows. {verdict}")
