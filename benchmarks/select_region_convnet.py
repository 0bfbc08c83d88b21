"""Choose the region convnet's design on validation only, and print every design tried.

Each design of `seqlib.models.build_region_convnet` (vocabulary, words read, filters, region,
learning rate) is trained by the book's recipe on seed 0 and scored on the
5,000 validation reviews; the test split is never scored. To try more designs in the time a
session has, the stopping rule waits 2 epochs, not the full profile's 4. The goal the designs
aim at was written before the first of them ran (`seqlib.claims.IMDB_GOAL_ACCURACY`); the bag
of bigrams' validation accuracy, 0.9066 on seed 0, is the score to beat.

    SEQLIB_DATA_DIR=... .venv/bin/python benchmarks/select_region_convnet.py [N ...] \\
        | tee -a benchmarks/latest/select_region_convnet.txt

With numbers as arguments only those rows of `DESIGNS` run.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from seqlib import config, models, recipe, registry, results, review_texts, text_model  # noqa: E402

DESIGNS = (  # (vocabulary, words read, filters, region, learning rate)
    (30_000, 400, 256, 3, 1e-3),
    (50_000, 400, 256, 3, 1e-3),
    (30_000, 400, 256, 2, 1e-3),
    (30_000, 400, 512, 3, 1e-3),
    (30_000, 400, 256, 3, 3e-4),
)
PATIENCE = 2
KEY = "region_convnet"


def main(argv: list[str]) -> None:
    """Print one table row per design (all of `DESIGNS`, or the rows numbered in ``argv``)."""
    rows = [int(arg) for arg in argv] or range(len(DESIGNS))
    profile = config.get_profile("full")
    print(f"# Region convnet designs on validation (seed 0, full profile, patience {PATIENCE}); "
          f"{results.describe_environment()}")
    print("| # | vocabulary | words | filters | region | rate | best val | best epoch | epochs run | "
          "s / epoch | minutes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    registry.MODELS[KEY] = dataclasses.replace(  # this process only: the model being designed
        registry.get_model("text_ngram_convnet"), key=KEY, title="region convnet", length=None)
    split = review_texts.split_texts(review_texts.read_review_texts())
    data = {}
    for row in rows:
        vocabulary, words, filters, region, rate = DESIGNS[row]
        if (vocabulary, words) not in data:
            data[(vocabulary, words)] = text_model.vectorized(split, vocabulary, words)[1]
        build = functools.partial(models.build_region_convnet, filters=filters, region=region)
        start = time.perf_counter()
        fit = recipe.train_classifier(KEY, data[(vocabulary, words)], 0, profile, build=build,
                                      learning_rate=rate, patience=PATIENCE, score_test=False,
                                      time_step=False).fit
        print(f"| {row} | {vocabulary:,} | {words} | {filters} | {region} | {rate:g} | "
              f"{fit.best_value:.4f} | {fit.best_epoch} | {fit.epochs} | {fit.seconds_per_epoch:.0f} | "
              f"{(time.perf_counter() - start) / 60:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
