# Two commands matter: `make run` and `make test`. Everything else is a step of those.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install migrate seed test lint security format check pytest pytest-fast messages sbom backup restore serve-prod bench

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then \
		uv pip install --python $(PY) -e '.[dev]'; \
	else \
		$(PY) -m pip install --upgrade --quiet pip && $(PY) -m pip install -e '.[dev]'; \
	fi
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: seed
	$(MANAGE) runserver $(HOST):$(PORT)

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lint: install security
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# bandit: no high-severity finding; semgrep: the project's own rules in .semgrep/
# (offline: no metrics, no version check).
security: install
	$(VENV)/bin/bandit -q -r portal grants applications cms --severity-level high
	SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off $(VENV)/bin/semgrep scan \
		--config .semgrep/ --metrics=off --error --quiet \
		--exclude .venv --exclude tests --exclude bench .

# A CycloneDX software bill of materials of the installed environment.
sbom: install
	@mkdir -p artifacts
	$(VENV)/bin/cyclonedx-py environment --pyproject pyproject.toml --of JSON \
		-o artifacts/sbom.cdx.json $(PY)
	@echo "SBOM written to artifacts/sbom.cdx.json"

# Backups: the database (pg_dump, or SQLite's own copy) and every stored file, with
# a manifest. `make restore DIR=backups/<time>` loads one into the configured
# database, checks row counts and checksums, then applies the erasure log again.
backup: install
	$(MANAGE) backup $(if $(DIR),--output $(DIR))

restore: install
	@test -n "$(DIR)" || { echo "Say which backup: make restore DIR=backups/<time>"; exit 2; }
	$(MANAGE) restore --input $(DIR)

# A production-like stack on this machine: two gunicorn web processes (ports 8001
# and 8002), a task worker, PostgreSQL, Redis and S3 through moto; DEBUG off.
serve-prod: install
	$(PY) -m portal.serve_prod

# Figures, not pass/fail: public page throughput against the stack's own limit, a
# deadline surge, query counts at 10 and 10,000 rows, export memory, page weight.
# Needs PostgreSQL and Redis; about 11 minutes on 2 cores (`BENCH_ARGS=--quick`: less).
bench: install
	$(PY) bench/run_all.py $(BENCH_ARGS)

check: install
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run

# Browser tests run in their own process: their live server flushes the database
# between tests, which must not meet the rest of the suite's shared fixtures.
pytest: install
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser $(PYTEST_ARGS)

# Unit and integration tests without the browser.
pytest-fast: install
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

test: lint check pytest

messages: install
	$(MANAGE) makemessages --locale es --locale so --locale hmn --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'
	$(MANAGE) compilemessages --ignore '.venv/*'
