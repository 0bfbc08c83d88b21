# The two commands of the README (both start with `make doctor`, which names what is missing):
#   make book   - set up .venv (pinned requirements + seqlib) and the offline JavaScript, execute
#                 the chapters whose committed outputs are stale (none on a fresh clone), and build
#                 the book from the committed notebooks into _build/html
#   make test   - set up .venv, then run the unit tests, the notebooks under nbval, and the strict book build
# Chapters: `make stale` lists the chapters whose committed outputs are stale and why;
# `make notebooks` re-executes them in the full profile, in place (CHAPTERS="02_conv_forecaster ..."
# for some chapters, FORCE=1 for all of them), recording what produced each notebook.
# Data: SEQLIB_DATA_DIR (a folder holding the data files, e.g. an offline mirror) is passed
# through as an absolute path, so that notebooks running in chapters/ see the same folder.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# JavaScript served by the book itself, so that widgets and maths work offline
# npm installs the pinned packages (package.json + package-lock.json) into node_modules/; their
# dist files are copied into $(OFFLINE_DIR)/html, which _config.yml serves through html_extra_path
# (it lands in _build/html/_static/offline/). tools/require-config.js maps the widget manager's module
# path and its asset path onto that folder, so its code and fonts load from the book, not a CDN.
OFFLINE_DIR := _static_offline
OFFLINE_OUT := $(OFFLINE_DIR)/html/_static/offline
OFFLINE_JS := $(OFFLINE_DIR)/.copied
HTML_MANAGER := node_modules/@jupyter-widgets/html-manager/dist


ifdef SEQLIB_DATA_DIR
export SEQLIB_DATA_DIR := $(abspath $(SEQLIB_DATA_DIR))
endif
# Keep TensorFlow's C++ start-up lines out of logs and notebook outputs.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYTHONHASHSEED ?= 0

# The stale check in `make test` (and so in CI): every committed notebook holds a provenance
# record (`make notebooks`), so stale outputs fail the tests. `STALE_CHECK=no` skips it.
STALE_CHECK ?= yes

.PHONY: book test unit nbval build-strict install clean offline-js browser doctor stale notebooks

# The Python that runs the set-up checks: the one of .venv once it exists.
DOCTOR := $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) tools/doctor.py

doctor:
	@$(DOCTOR)

book: doctor $(STAMP) $(OFFLINE_JS)
	$(BIN)/python -m tools.notebooks --book
	$(BIN)/jupyter-book build .

test: doctor $(STAMP)
	$(MAKE) $(if $(filter yes,$(STALE_CHECK)),stale) unit nbval build-strict

stale: $(STAMP)
	@$(BIN)/python -m tools.stale

notebooks: doctor $(STAMP)
	$(BIN)/python -m tools.notebooks $(if $(filter 1 yes,$(FORCE)),--force) $(if $(RESULTS_DIR),--results-dir $(RESULTS_DIR)) $(CHAPTERS)

unit: $(STAMP)
	$(BIN)/python -m pytest tests -q

nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider chapters/

build-strict: $(STAMP) $(OFFLINE_JS)
	$(BIN)/jupyter-book build . -W -n --keep-going

install: doctor $(STAMP) $(OFFLINE_JS)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# TensorFlow writes C++ log lines straight to file descriptor 2, whatever TF_CPP_MIN_LOG_LEVEL
	# says; a kernel that does not capture fd output keeps them out of notebook outputs.
	mkdir -p $(VENV)/etc/ipython
	echo 'c.IPKernelApp.capture_fd_output = False' > $(VENV)/etc/ipython/ipython_kernel_config.py
	touch $(STAMP)

clean:
	rm -rf _build .jupyter_cache $(OFFLINE_DIR)

offline-js: $(OFFLINE_JS)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@


$(OFFLINE_JS): node_modules/.package-lock.json tools/require-config.js
	rm -rf $(OFFLINE_DIR)
	mkdir -p $(OFFLINE_OUT)/html-manager/dist $(OFFLINE_OUT)/mathjax
	cp node_modules/requirejs/require.js tools/require-config.js $(OFFLINE_OUT)/
	cp $(HTML_MANAGER)/*-amd.js $(HTML_MANAGER)/*.LICENSE.txt $(HTML_MANAGER)/*.woff* $(HTML_MANAGER)/*.ttf \
	   $(HTML_MANAGER)/*.eot $(HTML_MANAGER)/*.svg $(OFFLINE_OUT)/html-manager/dist/
	cp -r node_modules/mathjax/es5 node_modules/mathjax/LICENSE $(OFFLINE_OUT)/mathjax/
	touch $@

# Real-browser checks (headless Chromium): every page of the built book, its static explorers moved
# by hand, and a learner's JupyterLab session on chapter 2 (skipped without SEQLIB_DATA_DIR).
# Expects _build/html from `make book`; screenshots go to _build/screenshots/.
browser: $(STAMP) $(OFFLINE_JS)
	@$(DOCTOR) --browser
	test -x /usr/bin/chromedriver || (apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver)
	$(BIN)/python -m pytest tests/browser --browser -q -rs --durations=5
