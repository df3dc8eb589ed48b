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
# The browser viewer: ES modules under viewer/src, bundled with three.js by esbuild into one
# file that ships as package data (committed, so installing pasdeux needs no node).
VIEWER_BUNDLE := src/pasdeux/render/viewer.bundle.js
# The live page of `pasdeux serve` (viewer/src/live.js), built by the same npm script.
LIVE_BUNDLE := src/pasdeux/serve/static/live.bundle.js
VIEWER_SOURCES := $(wildcard viewer/src/*.js) viewer/package-lock.json
VIEWER_DEPS := viewer/node_modules/.package-lock.json

.PHONY: demo test lint typecheck unit viewer viewer-lint system-test-deps apt-install bench clean

demo: $(RUN_STAMP) $(VIEWER_BUNDLE)
	$(VENV)/bin/pasdeux demo

test: $(DEV_STAMP) system-test-deps lint typecheck unit

lint: $(DEV_STAMP) viewer-lint
	$(VENV)/bin/ruff check $(LINT_DIRS)
	$(VENV)/bin/ruff format --check $(LINT_DIRS)

viewer: $(VIEWER_BUNDLE) $(LIVE_BUNDLE)

# Rebuilt when a source changes (node 20 and npm needed then, not to use the bundle).
$(VIEWER_BUNDLE) $(LIVE_BUNDLE) &: $(VIEWER_SOURCES) | $(VIEWER_DEPS)
	cd viewer && npm run --silent build

$(VIEWER_DEPS): viewer/package.json viewer/package-lock.json
	cd viewer && npm ci --no-audit --no-fund --loglevel=error

viewer-lint: $(VIEWER_DEPS)
	viewer/node_modules/.bin/eslint -c viewer/eslint.config.js viewer/src src/pasdeux/serve/static

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

unit: $(DEV_STAMP) system-test-deps $(VIEWER_BUNDLE)
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
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache viewer/node_modules
