"""The claims of section 6.4, checked against the experiments' results over seeds.

Each claim is a small function over the runs of one dataset that returns a `Verdict`:
whether the claim holds by the rule written in its `Claim`, and the numbers behind it.
Chapter 5 and ``tests/test_claims.py`` use the same functions. ``python -m seqlib.claims``
prints the verdicts of a results folder.

Rules common to all claims: a claim holds on a dataset only if it holds in **every** seed
(the verdict shows how many did); errors are compared on one split, ``"test"`` by default
(scored once with the best validation epoch's weights, every window of the split) or
``"val"`` (the best validation epoch's score, which is what the 2017 text judged).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from seqlib.experiments import Spread, load_results, results_dir, results_profile

__all__ = ["MUCH_FASTER", "BOOK_IMDB_ACCURACY", "SPLITS", "Claim", "Verdict", "CLAIMS", "check_claims", "main"]

MUCH_FASTER = 1.5
""""Much faster" means at least this many times faster per training batch, at equal length."""

BOOK_IMDB_ACCURACY = 0.838
"""The 2017 convnet's IMDB accuracy level: its best validation accuracy (0.8382, epoch 6).

The 2017 notebook gives no test accuracy for the convnet, so its validation figure is the
threshold for our validation and our test accuracy alike."""

SPLITS = {"val": "validation", "test": "test"}

Runs = dict[str, dict[int, dict[str, Any]]]
"""The runs of one dataset: model key -> seed -> record."""

Judge = Callable[[Runs, str], tuple[list[bool], dict[str, Spread], str]]
"""``(runs, split) -> (holds per seed, numbers, detail)``."""


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A claim judged on one dataset.

    Attributes:
        claim: the claim's key, ``"a"`` to ``"e"``.
        dataset: the dataset's key (``"merra2"``, ``"jena"``, ``"imdb"``).
        split: the split the errors were compared on.
        holds: whether the claim holds in every seed.
        seeds_holding: in how many seeds it holds.
        seeds: how many seeds were compared.
        numbers: the measured values behind the verdict, each a `Spread` over seeds.
        detail: one sentence with those numbers.
    """

    claim: str
    dataset: str
    split: str
    holds: bool
    seeds_holding: int
    seeds: int
    numbers: dict[str, Spread]
    detail: str

    @property
    def mark(self) -> str:
        """✓ if the claim holds, ✗ if not."""
        return "✓" if self.holds else "✗"


@dataclasses.dataclass(frozen=True)
class Claim:
    """A claim of the 2017 text and the rule that judges it.

    Attributes:
        key: ``"a"`` to ``"e"``.
        statement: what the 2017 text says.
        rule: how we decide, in words.
        models: the model keys whose runs it needs.
        judge: ``(runs, split) -> (holds per seed, numbers, detail)``.
        by_split: whether the verdict depends on the split (not for timings).
    """

    key: str
    statement: str
    rule: str
    models: tuple[str, ...]
    judge: Judge
    by_split: bool = True


def _score(record: dict[str, Any], split: str) -> float:
    """The run's error or accuracy on a split: the best validation epoch's, or the test score."""
    return record["best_value"] if split == "val" else record["test"]


def _spread(values: Sequence[float]) -> Spread:
    return Spread(tuple(float(value) for value in values))


def _against_baseline(model: str, name: str, worse: bool) -> Judge:
    def judge(runs: Runs, split: str) -> tuple[list[bool], dict[str, Spread], str]:
        records = list(runs[model].values())
        maes = _spread([_score(r, split) for r in records])
        base = _spread([r[f"baseline_{split}"] for r in records])
        per_seed = [_score(r, split) > r[f"baseline_{split}"] if worse else _score(r, split) < r[f"baseline_{split}"]
                    for r in records]
        detail = (f"{name} {SPLITS[split]} MAE {maes:.3f} against {base:.3f} for the common-sense baseline "
                  f"on the same windows ({maes.mean / base.mean - 1:+.0%}); "
                  f"{'worse' if worse else 'better'} in {sum(per_seed)} of {len(per_seed)} seeds")
        return per_seed, {f"{model} MAE": maes, "baseline MAE": base}, detail
    return judge


def _faster(runs: Runs, split: str) -> tuple[list[bool], dict[str, Spread], str]:
    seeds = sorted(runs["gru"])
    gru, hybrid = [runs["gru"][s] for s in seeds], [runs["conv_gru"][s] for s in seeds]
    per_batch = _spread([g["seconds_per_batch"] / h["seconds_per_batch"] for g, h in zip(gru, hybrid)])
    per_epoch = _spread([g["seconds_per_epoch"] / h["seconds_per_epoch"] for g, h in zip(gru, hybrid)])
    per_seed = [ratio >= MUCH_FASTER for ratio in per_batch.values]
    gru_ms = _spread([1000 * g["seconds_per_batch"] for g in gru])
    hybrid_ms = _spread([1000 * h["seconds_per_batch"] for h in hybrid])
    detail = (f"at {gru[0]['timing_timesteps']} timesteps a training batch takes {gru_ms:.0f} ms for the GRU and "
              f"{hybrid_ms:.0f} ms for the hybrid: the GRU takes {per_batch:.2f}× the hybrid's time "
              f"(needs ≥ {MUCH_FASTER:g}×, met in {sum(per_seed)} of {len(per_seed)} seeds). As trained, the GRU ({gru[0]['timesteps']} steps) takes "
              f"{_spread([g['seconds_per_epoch'] for g in gru]):.1f} s per epoch and the hybrid "
              f"({hybrid[0]['timesteps']} steps) {_spread([h['seconds_per_epoch'] for h in hybrid]):.1f} s: "
              f"{per_epoch.mean:.2f}× the hybrid's time")
    numbers = {"GRU / hybrid, seconds per batch at equal length": per_batch,
               "GRU / hybrid, seconds per epoch as trained": per_epoch,
               "GRU ms per batch": gru_ms, "hybrid ms per batch": hybrid_ms}
    return per_seed, numbers, detail


def _imdb_level(runs: Runs, split: str) -> tuple[list[bool], dict[str, Spread], str]:
    records = list(runs["imdb_convnet"].values())
    accuracy = _spread([_score(r, split) for r in records])
    per_seed = [value >= BOOK_IMDB_ACCURACY for value in accuracy.values]
    detail = (f"{SPLITS[split]} accuracy {accuracy:.3f} after {records[0]['settings']['imdb_epochs']} epochs "
              f"(best epoch {_spread([r['best_epoch'] for r in records]):.0f}) against the 2017 level of "
              f"{BOOK_IMDB_ACCURACY:.3f}; reached in {sum(per_seed)} of {len(per_seed)} seeds")
    return per_seed, {"IMDB accuracy": accuracy}, detail


def _hybrid_behind_gru(runs: Runs, split: str) -> tuple[list[bool], dict[str, Spread], str]:
    seeds = sorted(runs["gru"])
    hybrid = _spread([_score(runs["conv_gru"][s], split) for s in seeds])
    gru = _spread([_score(runs["gru"][s], split) for s in seeds])
    per_seed = [h > g for h, g in zip(hybrid.values, gru.values)]
    detail = (f"hybrid {SPLITS[split]} MAE {hybrid:.3f} against {gru:.3f} for the GRU alone "
              f"({hybrid.mean / gru.mean - 1:+.0%}); the hybrid is behind in {sum(per_seed)} of {len(per_seed)} seeds")
    return per_seed, {"conv_gru MAE": hybrid, "gru MAE": gru}, detail


CLAIMS = (
    Claim("a", "The pure convnet cannot beat the common-sense baseline on the temperature forecast.",
          "the pure convnet's MAE is above the baseline's on the same windows",
          ("conv_forecaster",), _against_baseline("conv_forecaster", "pure convnet", worse=True)),
    Claim("b", "The conv+GRU hybrid beats the common-sense baseline.",
          "the hybrid's MAE is below the baseline's on its own windows",
          ("conv_gru",), _against_baseline("conv_gru", "hybrid", worse=False)),
    Claim("c", "The hybrid is significantly faster than the regularised GRU alone.",
          f"one training batch of the GRU costs at least {MUCH_FASTER:g}× the hybrid's at equal length "
          "(both timed at 480 timesteps); the seconds per epoch as trained are shown, not judged",
          ("gru", "conv_gru"), _faster, by_split=False),
    Claim("d", "The 1D convnet reaches about the 2017 accuracy on IMDB.",
          f"our accuracy is at least {BOOK_IMDB_ACCURACY} (the 2017 best validation accuracy; the notebook "
          "gives no test accuracy)",
          ("imdb_convnet",), _imdb_level),
    Claim("e", "The hybrid is not quite as good as the regularised GRU alone.",
          "the hybrid's MAE is above the GRU's (by any margin; the gap is shown)",
          ("gru", "conv_gru"), _hybrid_behind_gru),
)
"""The claims of section 6.4, in the order chapter 5 checks them."""


def check_claims(records: Sequence[dict[str, Any]], split: str = "test") -> list[Verdict]:
    """Judge every claim on every dataset whose results hold the runs it needs.

    Args:
        records: run records of one profile (`seqlib.experiments.load_results`).
        split: ``"test"`` or ``"val"``: the split whose scores are compared.

    Returns:
        One `Verdict` per (claim, dataset), claims in `CLAIMS` order. Runs are paired by
        seed: only seeds present for all the models a claim needs are used.

    Raises:
        ValueError: for an unknown split, or records of several profiles.
    """
    if split not in SPLITS:
        raise ValueError(f"`split` must be one of {list(SPLITS)}. Received: split={split!r}")
    profiles = sorted({record["profile"] for record in records})
    if len(profiles) > 1:
        raise ValueError(f"The records mix profiles {profiles}: judge one profile at a time.")
    by_dataset: dict[str, Runs] = {}
    for record in records:
        by_dataset.setdefault(record["dataset"]["key"], {}).setdefault(record["model"], {})[record["seed"]] = record
    verdicts = []
    for claim in CLAIMS:
        for dataset, runs in by_dataset.items():
            if not all(model in runs for model in claim.models):
                continue
            seeds = set.intersection(*(set(runs[model]) for model in claim.models))
            if not seeds:
                continue
            paired = {model: {seed: runs[model][seed] for seed in sorted(seeds)} for model in claim.models}
            per_seed, numbers, detail = claim.judge(paired, split)
            verdicts.append(Verdict(claim.key, dataset, split, all(per_seed), sum(per_seed), len(per_seed),
                                    numbers, detail))
    return verdicts


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: print every verdict of a results folder."""
    parser = argparse.ArgumentParser(prog="python -m seqlib.claims", description="Check the claims of section 6.4.")
    parser.add_argument("--out", default=None, help="results folder (default: SEQLIB_RESULTS_DIR, else results/)")
    parser.add_argument("--profile", default=None, help="results profile (default: SEQLIB_RESULTS_PROFILE, else full)")
    args = parser.parse_args(argv)
    records = load_results(args.out, args.profile)
    if not records:
        raise SystemExit(f"No results in {results_dir(args.out) / results_profile(args.profile)}: "
                         "run `python -m seqlib.experiments` first.")
    on_val = {(v.claim, v.dataset): v for v in check_claims(records, "val")}
    by_key = {claim.key: claim for claim in CLAIMS}
    for verdict in check_claims(records, "test"):
        claim = by_key[verdict.claim]
        print(f"({claim.key}) [{verdict.dataset}] {claim.statement}\n    test {verdict.mark}: {verdict.detail}")
        if claim.by_split:
            validation = on_val[verdict.claim, verdict.dataset]
            print(f"    validation {validation.mark}: {validation.detail}")

if __name__ == "__main__":
    main()
