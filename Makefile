# README commands: `make demo` and `make test` (and `make bench`). Each sets everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The TensorFlow wheel to install; `make demo TF_PACKAGE='tensorflow[and-cuda]'` for the GPU build.
TF_PACKAGE ?= tensorflow-cpu==2.21.*
PIP := $(BIN)/python -m pip --disable-pip-version-check -q -q
BUNDLE := tb_mesh_plugin/static/index.js
FRONTEND_SOURCES := $(shell find frontend/src -name '*.js' 2>/dev/null) frontend/build.mjs
CHROMIUM ?= /usr/bin/chromium
LOGDIR ?= runs
PORT ?= 6006

.PHONY: setup frontend demo lint test test-setup browser bench clean

setup: $(VENV)/.installed

frontend: $(BUNDLE)

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

$(BUNDLE): frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py $(BUNDLE)
	@echo "Installing TensorFlow ($(TF_PACKAGE)) and tb-mesh-plugin into $(VENV) ..."
	$(PIP) install --upgrade pip
	$(PIP) install "$(TF_PACKAGE)" -e ".[mesh]"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e ".[test]"
	touch $@

demo: setup
	$(BIN)/python -m demo.live --logdir $(LOGDIR) --port $(PORT)

browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM): install it (e.g. 'sudo apt-get install chromium')"; \
	    echo "or pass CHROMIUM=/path/to/chromium. Without it they are skipped (and fail under CI=true)."; \
	  fi; \
	fi

test-setup: $(VENV)/.installed-test browser

# Lint first: ruff (lint and format) for Python, eslint and prettier for the frontend.
lint: $(VENV)/.installed-test frontend/node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd frontend && npm run --silent lint

test: test-setup lint
	cd frontend && node --test --test-reporter=dot test/
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests

bench: setup
	$(BIN)/python -m bench.transformation
	$(BIN)/python -m bench.graphics
	$(BIN)/python -m bench.rendering
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.scene
	$(BIN)/python -m bench.pose_fit
	$(BIN)/python -m bench.mesh_convolution
	$(BIN)/python -m bench.volumetric
	$(BIN)/python -m bench.image
	$(BIN)/python -m bench.splat
	$(BIN)/python -m bench.self_supervised
	$(BIN)/python -m bench.trace

clean:
	rm -rf $(VENV) frontend/node_modules $(BUNDLE) build *.egg-info artifacts
