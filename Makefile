# openvet — build / run / test contract. See docs/operations.md.
#   make serve [HOST=0.0.0.0] [PORT=8080]   run the server on ./data/openvet.sqlite3 with demo data
#   make test  [ARGS='-k invoices -x']      ruff + pytest against a private PostgreSQL (bin/test)
#   make fuzz  [EXAMPLES=25]                  schemathesis --checks all over /openapi.json of a demo server
#   make lint | bench | bench-throttling | clean

SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

# HOST/PORT are only passed through when given on the make command line
# (an exported HOST/PORT in the environment — e.g. zsh's HOST — is ignored).
SERVE_ARGS :=
ifeq ($(origin HOST),command line)
SERVE_ARGS += --host $(HOST)
endif
ifeq ($(origin PORT),command line)
SERVE_ARGS += --port $(PORT)
endif
ARGS ?=

.PHONY: venv serve test fuzz lint bench bench-throttling clean

venv: $(STAMP)

# Re-installs only when pyproject.toml is newer than the stamp (or the venv is missing).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "make: $(PYTHON) >= 3.11 is required (found: $$($(PYTHON) --version 2>&1))" >&2; exit 1; }
	@if [ ! -x $(VENV)/bin/python ]; then echo "creating $(VENV) with $$($(PYTHON) --version)"; \
		$(PYTHON) -m venv $(VENV); fi
	@echo "installing openvet[test] into $(VENV)"
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

# A developer's sandbox: webhooks may reach a receiver on this machine or its network (docs/webhooks.md).
serve: venv
	OPENVET_WEBHOOK_PRIVATE_TARGETS=$${OPENVET_WEBHOOK_PRIVATE_TARGETS:-allow} $(VENV)/bin/openvet serve --demo $(SERVE_ARGS)

test: venv
	bin/test $(ARGS)

# A longer schemathesis run than the one in `make test` (tests/test_fuzzing.py), on a fresh demo server.
EXAMPLES ?= 25
fuzz: venv
	OPENVET_FUZZ_EXAMPLES=$(EXAMPLES) OPENVET_FUZZ_PHASES=coverage,fuzzing,stateful $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_fuzzing.py $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .

bench: venv
	$(VENV)/bin/python bench/run.py

bench-throttling: venv
	$(VENV)/bin/python bench/throttling.py

clean:
	rm -rf $(VENV) data .pg
