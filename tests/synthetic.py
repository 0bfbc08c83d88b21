"""Small synthetic data and a tiny profile shared by the tests that train real models."""

import dataclasses

import numpy as np

from seqlib import config, imdb, weather

TINY = dataclasses.replace(config.PROFILES["quick"], imdb_max_epochs=2, weather_max_epochs=2, patience=1,
                           steps_per_epoch=2, max_eval_batches=1, explorer_epochs=1, explorer_steps=2)


CHAPTER_HEADER = """---
jupytext:
  formats: ipynb,md:myst
  text_representation: {extension: .md, format_name: myst, format_version: 0.13}
kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
---
"""
"""The front matter of a chapter: paired with its notebook by Jupytext, run by the Python 3 kernel."""


def demo_chapter(*cells: str, title: str = "Demo") -> str:
    """A throwaway chapter's Markdown: a title, then one code cell per source in `cells`."""
    code = "".join(f"\n```{{code-cell}} ipython3\n{cell}\n```\n" for cell in cells)
    return f"{CHAPTER_HEADER}\n# {title}\n{code}"


def tiny_series(rows: int = 2400) -> weather.WeatherSeries:
    """100 days of a small hourly series: enough rows for every window of the book."""
    hours = np.arange(rows)
    rng = np.random.default_rng(0)
    temperature = np.sin(2 * np.pi * hours / 24) + 0.1 * rng.normal(size=rows)
    values = np.stack([temperature, rng.normal(size=rows), np.cos(2 * np.pi * hours / 24)], axis=1)
    return weather.WeatherSeries(
        key="tiny", title="a tiny synthetic series",
        timestamps=np.datetime64("2000-01-01T00", "s") + hours.astype("timedelta64[h]"),
        values=values.astype("float32"), columns=("T", "noise", "phase"), target_column="T",
        period=np.timedelta64(1, "h"), source="tests", reason="tests")


def tiny_reviews() -> imdb.Reviews:
    rng = np.random.default_rng(0)
    x = rng.integers(1, 10_000, size=(80, 50))
    y = (rng.random(80) < 0.5).astype("int64")
    return imdb.Reviews(x[:48], y[:48], x[48:60], y[48:60], x[60:], y[60:])
