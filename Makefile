# Each target does its own set-up: a fresh machine needs nothing but python3 and make (`make test` also
# installs Debian's chromium for the browser tests when it is missing, and uses the PostgreSQL binaries).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STORE_STAMP := $(VENV)/.store-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo dashboard test bench docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	rm -f $(VENV)/.bench-* && touch $@

$(STORE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[store,api]'
	rm -f $(VENV)/.store-* && touch $@

demo: $(STAMP)
	$(BIN)/epizone demo --out-dir out/demo

dashboard: $(STORE_STAMP)
	$(BIN)/epizone serve --demo

test: $(STORE_STAMP)
	sh scripts/ensure_chromium.sh
	$(BIN)/python -m pytest

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_assess.py

docs: $(STAMP)
	for id in $$($(BIN)/python -c "from epizone.domain.rules import builtin_ids; print(' '.join(builtin_ids()))"); do \
		$(BIN)/epizone rules show $$id --markdown > docs/rulesets/$$id.md; done

clean:
	rm -rf $(VENV) out build src/*.egg-info .pytest_cache .hypothesis
