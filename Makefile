# Thin wrappers; each target is also written out as plain commands in the README.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install browser axe wrk run test lint format messages bench fuzz clean

$(BIN)/ketnoi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/ketnoi

run: install
	$(BIN)/ketnoi serve --demo

# Browser tests drive Debian's Chromium; test tools cannot download browsers here.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# axe-core (npm, pinned in package-lock.json) is injected into pages by the browser tests to check
# accessibility; `npm ci` installs exactly the locked version, again when the lock file changes.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

axe: node_modules/axe-core/axe.min.js

# One worker per core (pytest-xdist), each with its own embedded PostgreSQL, browser and service.
test: install browser axe
	$(BIN)/pytest -n auto --durations=20

# A longer API fuzzing run than the suite's: coverage phase, 50 examples per operation and role, a new
# seed each time (printed, and in test-artifacts/fuzz.json, to replay a failure with KETNOI_FUZZ_SEED).
FUZZ_EXAMPLES ?= 50
FUZZ_SEED ?= $(shell date +%s)
fuzz: install
	KETNOI_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) KETNOI_FUZZ_SEED=$(FUZZ_SEED) KETNOI_FUZZ_PHASES=examples,coverage,fuzzing \
		$(BIN)/pytest tests/integration/fuzz -q

# Load tests drive Debian's wrk (an HTTP load generator); pip cannot provide it.
wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

# Benchmarks, never part of `make test` (bench/README.md); BENCH_ARGS=--quick for a smoke run.
bench: install wrk
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the message catalogs after changing visible strings, then translate what is new in vi.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ --no-location -o service/locale/messages.pot .
	$(BIN)/pybabel update -i service/locale/messages.pot -d service/locale -D messages --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
