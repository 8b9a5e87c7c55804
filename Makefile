# Two commands on a fresh machine with only Python 3: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: install run test lint clean bench

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[local,test]"
	touch $(INSTALLED)

install: $(INSTALLED)

## Start the whole system locally (moto, real ASL, ePUAP simulator, API on :8000).
run: install
	$(BIN)/python -m ezd.local.run

## Lint the deployable template, then run every test.
test: install lint
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/cfn-lint infra/template.yaml
	$(BIN)/ruff check layers functions tests bench

## Benchmarks (not part of the test suite): see bench/README.md.
bench: install
	$(BIN)/python -m bench.intake_throughput

clean:
	rm -rf $(VENV) .ezd .pytest_cache
