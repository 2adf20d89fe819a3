# Huddles: `make run` serves the app with demo data, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app.py
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/huddles_test
PORT ?= 5000
# pytest-xdist workers for `make test` (one per core); PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto
XDIST := $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)

.PHONY: run test translations test-sqlite test-postgres bench lint typecheck security browsers clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

translations: $(STAMP)
	@$(BIN)/python -m huddles.compile_translations

run: $(STAMP) translations
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@if [ -d content ] && $(BIN)/flask content --help >/dev/null 2>&1; then $(BIN)/flask content import content; fi
	@# The web server and the scheduler, each its own process (Procfile.dev); Ctrl-C stops both.
	SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')} \
	$(BIN)/honcho start -f Procfile.dev -p $(PORT)

# The suite on SQLite, then again on PostgreSQL when one is reachable (or TEST_DATABASE_URL is set).
test: $(STAMP) translations
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ] || $(BIN)/python -m tests.pg_available "$(PG_TEST_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL is not reachable: the suite ran on SQLite only."; fi

test-sqlite: $(STAMP)
	HUDDLES_TEST_DATABASE_URL= $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test-postgres: $(STAMP)
	HUDDLES_TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# The pages on gunicorn beside a bare "hello" (wrk, PostgreSQL), the agenda figures, then the reports.
bench: $(STAMP) translations
	@status=0; \
	$(BIN)/python -m tests.bench_http || status=1; \
	$(BIN)/python -c 'import sys; from tests import bench_reports; sys.exit(0 if bench_reports.run_if_postgresql() else 1)' || status=1; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check huddles tests app.py
	$(BIN)/ruff format --check huddles tests app.py

# The agenda feature's services, one module a job.
AGENDA_SERVICES = $(addprefix huddles/agenda/,choosing.py days.py library.py pins.py planning.py rendered.py templates.py week.py)

typecheck: $(STAMP)
	$(BIN)/mypy --strict --follow-imports=silent huddles/rotation huddles/seasons.py huddles/*/service.py \
		$(AGENDA_SERVICES)

# bandit (no high-severity finding) and pip-audit (when its vulnerability database answers).
security: $(STAMP)
	BIN=$(BIN) bash .ci/security

clean:
	rm -rf $(VENV) instance/huddles.db*
