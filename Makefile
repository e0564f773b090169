# Quick start: `make run` (the site with demo data) and `make test` (the test suite). See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test test-live install migrate seed worker beat serve lint format messages ci bench cluster compose-check

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty --renditions-later

run: seed
	@echo ""
	@echo "  Socialshop is starting on http://$(HOST):$(PORT)/"
	@echo "  Demo logins (username / password):"
	@echo "    shopper   / socialshop-shopper"
	@echo "    moderator / socialshop-moderator"
	@echo "    admin     / socialshop-admin      (Django admin at /admin/)"
	@echo ""
	@# Picture renditions the seed left for later are made beside the server (pages show originals meanwhile).
	mkdir -p var && (nice sh -c '$(BIN)/python manage.py picture_renditions && $(BIN)/python manage.py post_picture_renditions && $(BIN)/python manage.py avatar_renditions' > var/picture-renditions.log 2>&1 &)
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --workers $${WEB_CONCURRENCY:-2}

worker: install
	$(BIN)/celery -A config worker --loglevel INFO --concurrency $${CELERY_CONCURRENCY:-2}

beat: install
	$(BIN)/celery -A config beat --loglevel INFO --schedule $${CELERY_BEAT_SCHEDULE_FILE:-var/celerybeat-schedule}

# The production topology as processes (docs/operations.md, "Scale out"): an S3 server (moto), 2 web nodes behind
# Debian's nginx on http://127.0.0.1:8100, a worker and a beat; PostgreSQL/Redis from DATABASE_URL/REDIS_URL.
# Ctrl-C stops it all. CLUSTER_ARGS="--web-nodes 3 --beats 2" for more.
cluster: install
	@command -v nginx >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx)
	$(BIN)/python deploy/cluster.py $(CLUSTER_ARGS)

# The compose file, validated without a container daemon (Debian's docker-compose 1.29).
compose-check:
	@command -v docker-compose >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose)
	docker-compose -f deploy/compose.yaml config -q

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
