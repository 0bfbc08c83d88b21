# The two commands of the README:
#   make book   - set up .venv (pinned requirements + seqlib) and build the book into _build/html
#   make test   - set up .venv, then run the unit tests, the notebooks under nbval, and the strict book build
# Data: SEQLIB_DATA_DIR (a folder holding the data files, e.g. an offline mirror) is passed
# through as an absolute path, so that notebooks running in chapters/ see the same folder.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

ifdef SEQLIB_DATA_DIR
export SEQLIB_DATA_DIR := $(abspath $(SEQLIB_DATA_DIR))
endif
# Keep TensorFlow's C++ start-up lines out of logs and notebook outputs.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYTHONHASHSEED ?= 0

.PHONY: book test unit nbval build-strict install clean

book: $(STAMP)
	$(BIN)/jupyter-book build .

test: $(STAMP)
	$(MAKE) unit nbval build-strict

unit: $(STAMP)
	$(BIN)/python -m pytest tests -q

nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider chapters/

build-strict: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

install: $(STAMP)

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
	rm -rf _build .jupyter_cache
