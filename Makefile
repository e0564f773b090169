# Quick start: `make run` (the site with demo data) and `make test` (the test suite). See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test test-live install migrate seed worker beat serve lint format messages ci bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty

run: seed
	@echo ""
	@echo "  Socialshop is starting on http://$(HOST):$(PORT)/"
	@echo "  Demo logins (username / password):"
	@echo "    shopper   / socialshop-shopper"
	@echo "    moderator / socialshop-moderator"
	@echo "    admin     / socialshop-admin      (Django admin at /admin/)"
	@echo ""
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --workers $${WEB_CONCURRENCY:-2}

worker: install
	$(BIN)/celery -A config worker --loglevel INFO --concurrency $${CELERY_CONCURRENCY:-2}

beat: install
	$(BIN)/celery -A config beat --loglevel INFO --schedule $${CELERY_BEAT_SCHEDULE_FILE:-var/celerybeat-schedule}

# pytest exits 5 when it collects no test: nothing failed, so that is a pass.
test: install
	$(BIN)/pytest -q || [ $$? -eq 5 ]

test-live: install
	$(BIN)/pytest -q -m live || [ $$? -eq 5 ]

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

ci:
	bash .ci/run
