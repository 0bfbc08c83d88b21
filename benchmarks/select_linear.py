"""Choose the linear models' settings on validation only, and print every setting tried.

The bag of words and bigrams (`seqlib.models.build_bag_of_ngrams`) and the linear forecaster
(`seqlib.models.build_linear_forecaster`) are trained by the book's recipe (seed 0, the full
profile's stopping rule) for each setting of a small grid; the test split is never scored.
The registry (`seqlib/registry.py`) keeps the setting with the best validation score.

    SEQLIB_DATA_DIR=... .venv/bin/python benchmarks/select_linear.py | tee benchmarks/latest/select_linear.txt
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from seqlib import config, models, recipe, registry, results, review_texts, text_model  # noqa: E402

BAG_SETTINGS = (  # (vocabulary, L2 penalty, learning rate)
    (20_000, 1e-6, 1e-2), (50_000, 1e-6, 1e-2), (100_000, 1e-6, 1e-2),
    (50_000, 0.0, 1e-2), (50_000, 1e-5, 1e-2), (100_000, 1e-5, 1e-2),
    (50_000, 1e-6, 3e-2), (50_000, 1e-6, 1e-3),
)
LINEAR_SETTINGS = (  # (lookback, learning rate); one reading per hour
    ("10 days", 1e-2), ("10 days", 1e-3), ("10 days", 1e-4), ("10 days", 3e-5), ("10 days", 1e-5),
    ("3 days", 3e-4), ("3 days", 1e-4), ("3 days", 3e-5),
    ("1 day", 1e-4), ("2 days", 1e-4), ("5 days", 1e-4), ("7 days", 1e-4),
)


def main(argv: list[str]) -> None:
    """Print the table; ``linear`` or ``bag`` as the only argument runs that half alone."""
    profile = config.get_profile("full")
    print(f"# Linear models chosen on validation (seed 0, full profile's stopping rule); "
          f"{results.describe_environment()}")
    print("| model | vocabulary | L2 | learning rate | best val | best epoch | epochs run | s / epoch |")
    print("|---|---|---|---|---|---|---|---|")
    bag = registry.get_model("bag_of_bigrams")
    split = review_texts.split_texts(review_texts.read_review_texts()) if argv != ["linear"] else None
    bags = {}
    for vocabulary, l2, rate in BAG_SETTINGS if argv != ["linear"] else ():
        if vocabulary not in bags:
            bags[vocabulary] = text_model.bags(text_model.vectorized(split, vocabulary, bag.length, bag.ngrams)[1])
        build = functools.partial(models.build_bag_of_ngrams, l2=l2)
        fit = recipe.train_classifier("bag_of_bigrams", bags[vocabulary], 0, profile, build=build,
                                      learning_rate=rate, score_test=False, time_step=False).fit
        print(f"| bag of bigrams | {vocabulary:,} | {l2:g} | {rate:g} | {fit.best_value:.4f} | "
              f"{fit.best_epoch} | {fit.epochs} | {fit.seconds_per_epoch:.1f} |", flush=True)
    data = recipe.load_data("linear") if argv != ["bag"] else None
    for lookback, rate in LINEAR_SETTINGS if argv != ["bag"] else ():
        entry = dataclasses.replace(registry.get_model("linear"), learning_rate=rate,
                                    windows=((lookback, "1 hour"),))
        registry.MODELS["linear"] = entry  # this process only: the setting tried
        fit = recipe.train_forecaster("linear", data, 0, profile, score_test=False, time_step=False).fit
        print(f"| linear forecaster, {lookback} | — | 0 | {rate:g} | {fit.best_value:.4f} | "
              f"{fit.best_epoch} | {fit.epochs} | {fit.seconds_per_epoch:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
