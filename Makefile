# Two commands matter: `make run` and `make test`. Everything else is a step of those.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install migrate seed test lint format check pytest pytest-fast messages

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

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

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
