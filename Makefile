# Two commands: `make run` and `make test`. Everything else is what they need.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PARTNERHUB_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run serve test setup chromium bench demo clean messages

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/flask --app app demo ensure

# development server, one process, threaded
run: demo
	@echo "serving on http://$(HOST):$(PORT)"
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT) --with-threads

# the same app as production runs it: gunicorn, 2 workers x 4 threads
serve: demo
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - 'app:server'

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: setup chromium
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# the translation catalogue: extract every string passed to _() / n_()
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _ -k n_:1,2 -o translations/messages.pot --ignore-dirs='.venv var tests bench' .
