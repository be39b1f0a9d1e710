# The project's verbs. `make demo` and `make test` work on a fresh machine: both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WS ?= demo-ws

.PHONY: setup demo test test-fast lint bench clean browser

setup: $(STAMP)

# Re-install only when the dependency list changes, so a second `make setup` takes no time.
# torch comes first, pinned, with pip: the CPU build lies on this machine's disk; letting a
# resolver pick torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/python examples/demo.py --workspace $(WS)

# The browser tests (tests/web/test_browser.py) drive Debian's headless Chromium; install it when missing.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: setup browser
	$(BIN)/python -m pytest -q

test-fast: setup browser
	$(BIN)/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(WS) .pytest_cache .mypy_cache .ruff_cache
