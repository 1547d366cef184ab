# Two commands: `make run` and `make test`. Everything else is what they need.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs the runtime lock only; `make test` the dev lock (tests, lint, types)
RUN_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
export PARTNERHUB_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run serve test lint format setup setup-dev chromium debian bench bench-peer demo clean messages screenshots lock

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): requirements/runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements/runtime.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(DEV_STAMP): requirements/dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements/dev.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@ $(RUN_STAMP)

setup: $(RUN_STAMP)
setup-dev: $(DEV_STAMP)

demo: setup
	$(BIN)/flask --app app demo ensure

# development server, one process, threaded
run: demo
	@echo "serving on http://$(HOST):$(PORT)"
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT) --with-threads

# the same app as production runs it: gunicorn, 2 workers x 4 threads
serve: demo
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - 'app:server'

# Debian packages the tests need: Chromium for the browser tests (Playwright
# drives /usr/bin/chromium), PostgreSQL, whose server the store tests start
# on loopback, and the Noto CJK fonts, without which Japanese screenshots
# show empty boxes
DEBIAN_PACKAGES := chromium postgresql fonts-noto-cjk
debian:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing Debian packages: $$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
chromium: debian

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# two workers, one test file each at a time (its fixtures stay in one process)
test: lint debian
	$(BIN)/python -m pytest -n 2 --dist loadfile

# refresh the README's screenshots from a browser test run (never done by `make test`)
screenshots: setup-dev debian
	PARTNERHUB_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -m browser -q

bench: setup
	$(BIN)/python -m bench

# our /analytics beside Apache Superset 6.1 on the same snapshot (installs Superset into bench/.peer-venv once)
bench-peer: setup
	$(BIN)/python -m bench.peer

# the locks `make` installs from, compiled from pyproject.toml
lock: setup-dev
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe -o requirements/runtime.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe --extra test --extra dev -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# the translation catalogue: extract every string passed to _() / n_() / N_(), then
# add the new ones to the Japanese catalogue keeping every translation (translate them, unmark fuzzy)
messages: setup-dev
	$(BIN)/pybabel extract -F babel.cfg -k _ -k n_:1,2 -k N_ --ignore-dirs='.* __pycache__' --project=partnerhub --no-location --no-wrap --sort-output -o partnerhub/translations/messages.pot partnerhub
	$(BIN)/pybabel update -i partnerhub/translations/messages.pot -d partnerhub/translations -l ja --no-wrap
