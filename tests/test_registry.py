"""The registry: every dataset and model as data, light, and every name in it resolvable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from seqlib import fetch, registry

ROOT = Path(__file__).resolve().parents[1]


def test_the_registry_and_a_results_page_import_no_tensorflow():
    # Chapter 5 shows results and trains nothing: what it imports must not pull TensorFlow.
    code = ("import sys, seqlib.registry, seqlib.static_explorers, seqlib.plots, seqlib.claims; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
    code = "import sys, seqlib.registry; print('ipywidgets' in sys.modules or 'matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


@pytest.mark.parametrize("key", list(registry.MODELS))
def test_every_model_names_a_dataset_and_a_builder_that_exist(key):
    entry = registry.get_model(key)
    assert entry.dataset in registry.DATASETS and entry.key == key
    assert callable(registry.resolve(entry.builder))
    assert entry.policy in (registry.CLASSIFIER, registry.FORECASTER)
    if entry.inputs == registry.WINDOWS:
        assert entry.windows and entry.policy is registry.FORECASTER and entry.vocabulary is None
    else:  # a review model: how many words it knows and reads, and where its padding goes
        assert entry.policy is registry.CLASSIFIER and not entry.windows
        assert entry.vocabulary > 0 and entry.length > 0 and entry.padding in ("front", "end")


@pytest.mark.parametrize("key", list(registry.DATASETS))
def test_every_dataset_names_a_loader_and_registered_files(key):
    dataset = registry.get_dataset(key)
    assert callable(registry.resolve(dataset.loader))
    assert dataset.files and all(name in fetch.REGISTRY for name in dataset.files)
    assert dataset.inputs in (registry.WORD_IDS, registry.TEXT, registry.WINDOWS)
    assert (dataset.period is not None) == (dataset.target is not None) == (dataset.inputs == registry.WINDOWS)
    assert dataset.stand_in is None or dataset.stand_in in registry.DATASETS


def test_unknown_keys_and_bad_names_say_what_is_known():
    with pytest.raises(ValueError, match=r"Unknown model 'lstm'. Use one of \['bag_of_bigrams', "):
        registry.get_model("lstm")
    with pytest.raises(ValueError, match=r"Unknown dataset 'jena2'. Use one of \['imdb', "):
        registry.get_dataset("jena2")
    with pytest.raises(ValueError, match="names no function"):
        registry.resolve("seqlib.models:build_nothing")
    with pytest.raises(ValueError, match="'module:function'"):
        registry.resolve("build_gru")


def test_models_reading_follows_the_registry_order():
    assert registry.models_reading(registry.WINDOWS) == ["linear", "conv_forecaster", "gru", "conv_gru",
                                                         "dilated_causal"]
    assert registry.models_reading(registry.WORD_IDS) == ["imdb_convnet", "imdb_lstm"]


def test_no_code_branches_on_a_task_or_a_model_name_outside_the_registry():
    switches = []
    for path in [*ROOT.glob("seqlib/*.py"), *ROOT.glob("chapters/*.md"), *ROOT.glob("tools/*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "task ==" in line or ".task in" in line or ".text_vectorizer" in line:
                switches.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not switches, "\n".join(switches)


def test_the_strongest_simple_model_of_each_task_is_registered():
    # Every model stands beside a linear model of its task, trained by the same recipe.
    bag, linear = registry.get_model("bag_of_bigrams"), registry.get_model("linear")
    assert bag.inputs == registry.TEXT and bag.bag and bag.ngrams == 2
    assert linear.inputs == registry.WINDOWS and linear.windows == (("5 days", "1 hour"),)
    assert list(registry.MODELS)[0] == "bag_of_bigrams"
