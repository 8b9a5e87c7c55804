# Two commands on a fresh machine with only Python 3: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: install system-packages run test test-dates lint clean bench portal openapi

# Debian packages the tests use: faketime runs the date-sensitive tests under fixed clocks,
# xmlsec1 checks our XML signatures independently of signxml, chromium is the browser the
# portal's tests drive (Playwright cannot download one here).
DEBIAN_PACKAGES := faketime xmlsec1 chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Clocks for `make test-dates` (UTC): 24 December (a holiday since 2025), the last day of
# February in a leap year, the Friday before the 1–3 May weekend, and the first minutes of a
# year in Poland while it is still the old year in UTC.
TEST_DATES := "2026-12-24 10:00:00" "2028-02-29 12:00:00" "2027-04-30 14:00:00" "2026-12-31 23:15:00"

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[local,test]"
	touch $(INSTALLED)

install: $(INSTALLED)

# The web portal (portal/): its packages from the committed lockfile, built again only when
# its sources changed. Its API client is generated from portal/openapi.json, which
# `make openapi` writes from the code (a test fails while the two differ).
PORTAL_MODULES := portal/node_modules/.package-lock.json
PORTAL_STAMP := portal/.build-stamp
PORTAL_SOURCES := $(shell find portal/src -type f ! -name schema.d.ts 2>/dev/null) portal/index.html \
  portal/package.json portal/tsconfig.json portal/vite.config.ts portal/openapi.json

$(PORTAL_MODULES): portal/package-lock.json
	@command -v npm >/dev/null || { echo "the portal needs Node.js 20.19+ with npm"; exit 1; }
	cd portal && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(PORTAL_STAMP): $(PORTAL_MODULES) $(PORTAL_SOURCES)
	cd portal && npm run --silent build
	touch $@

portal: $(PORTAL_STAMP)

openapi: install
	$(BIN)/ezd openapi --out portal/openapi.json

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

## Start the whole system locally (moto, real ASL, ePUAP simulator, API on :8000, the web
## portal on :8080 and at / of the API). It resumes the data saved in .ezd/data;
## `make run FRESH=1` starts empty instead.
run: install portal
	$(BIN)/python -m ezd.local.run$(if $(filter-out 0,$(FRESH)), --fresh)

## Lint the deployable template, then run every test (the portal's own, then pytest), then
## the date-sensitive ones again under fixed clocks.
test: install system-packages lint portal
	cd portal && npm test --silent
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile
	$(MAKE) --no-print-directory test-dates

test-dates: install system-packages portal
	@for d in $(TEST_DATES); do echo "== the clock at $$d UTC"; \
	  TZ=UTC faketime "$$d" $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile -p no:cacheprovider -m dates || exit 1; \
	done

lint: install
	$(BIN)/cfn-lint infra/template.yaml
	$(BIN)/ruff check layers functions tests bench

## Benchmarks (not part of the test suite): see bench/README.md.
bench: install
	$(BIN)/python -m bench.intake_throughput

clean:
	rm -rf $(VENV) .ezd .pytest_cache portal/node_modules portal/dist $(PORTAL_STAMP)
