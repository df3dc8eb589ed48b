# Two commands: `make demo` and `make test`. Each sets up what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.stamp-run
DEV_STAMP := $(VENV)/.stamp-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES_TEST := chromium ffmpeg espeak-ng blender
APT_PACKAGES_BENCH := fluidsynth fluid-soundfont-gm
LINT_DIRS := $(wildcard src tests bench scripts)

.PHONY: demo test lint typecheck unit system-test-deps apt-install bench clean

demo: $(RUN_STAMP)
	$(VENV)/bin/pasdeux demo

test: $(DEV_STAMP) system-test-deps lint typecheck unit

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check $(LINT_DIRS)
	$(VENV)/bin/ruff format --check $(LINT_DIRS)

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

unit: $(DEV_STAMP) system-test-deps
	$(PY) -m pytest -q

bench: $(DEV_STAMP)
	$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES_TEST) $(APT_PACKAGES_BENCH)"
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/music.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(RUN_STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages the tests need: the browser test drives Debian's chromium, ffmpeg
# decodes M4A/AAC, espeak-ng speaks the speech that must get "no danceable beat", and
# blender imports the BVH files (tests/test_rig.py; about 20 s to install).
system-test-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES_TEST)"

apt-install:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
