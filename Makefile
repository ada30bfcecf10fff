# SIGAP: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup lint format messages check-messages lock vendor clean e2e prodcheck backup restore fieldcheck bench

# Create the virtual environment and install the pinned dependencies, once
# (again only when requirements.lock changes).
$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

setup: $(BIN)/.installed

## make run: set up, migrate, load demo data and serve on http://127.0.0.1:8000 (SQLite, eager tasks)
run: setup
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py demo_data
	@echo "SIGAP: http://$(HOST):$(PORT)/  (log in as admin, petugas, kader, kader2 or kpad; password sigap-demo)"
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (browser tests skip without Chromium unless REQUIRE_E2E=1)
test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make prodcheck: the production shape without Docker (README "Production"): collectstatic, compose's
## web, worker and beat commands with DEBUG off, a crawl as every role, /healthz under faults.
## Needs DATABASE_URL on PostgreSQL (it uses its own database beside it) and redis-server.
prodcheck: setup
	$(BIN)/python -m scripts.prodcheck $(PRODCHECK_ARGS)

## make backup [ARCHIVE=file.tar]: the PostgreSQL database (DATABASE_URL) and the private media in one
## archive with a manifest of row counts and SHA-256 hashes (README "Backup and restore").
backup: setup
	$(BIN)/python manage.py sigap_backup $(if $(ARCHIVE),--output "$(ARCHIVE)")

## make restore ARCHIVE=file.tar [RESTORE_ARGS="--database-url ... --media-root ..."]: into an EMPTY
## database and folder, then verified against the manifest. `RESTORE_ARGS=--check` only checks the archive.
restore: setup
	@test -n "$(ARCHIVE)" || { echo "make restore ARCHIVE=sigap-backup-....tar"; exit 2; }
	$(BIN)/python manage.py sigap_restore "$(ARCHIVE)" $(RESTORE_ARGS)

## make bench [BENCH_CASES=1000000] [BENCH_ARGS="--skip-build --runs 5"]: (re)build a PostgreSQL
## database of synthetic cases (BENCH_DATABASE_URL; dropped first), then measure the busy pages through
## gunicorn with DEBUG off (p50/p95 server time, queries, the plain SQL floor) and the background jobs
## -> bench/results.json and bench/results.md (README "Scale"). Uses redis-server's DB 13.
BENCH_CASES        ?= 200000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sigap_bench
bench: setup
	$(BIN)/python -m bench --cases $(BENCH_CASES) --database-url "$(BENCH_DATABASE_URL)" $(BENCH_ARGS)

## make fieldcheck: the kader's pages on an emulated weak link (1.6 Mbps / 750 kbps / 300 ms, 4x CPU) in
## Chromium, production shape and `make run`: bytes first/repeat, requests, time until usable -> fieldcheck.json
fieldcheck: setup
	$(BIN)/python -m scripts.fieldcheck $(FIELDCHECK_ARGS)

e2e: setup
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

lint: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint templates */templates
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Update the Indonesian catalogue after changing user-facing strings, then translate and compile.
messages: setup
	$(BIN)/python manage.py makemessages -l id --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=scripts
	$(BIN)/python manage.py compilemessages -l id --ignore=.venv

## Fail if a string lacks an Indonesian translation or the catalogue does not compile.
check-messages: setup
	bash scripts/check_catalogue.sh

lock: setup
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

## Copy the front-end libraries named in package.json from npm into static/vendor.
vendor:
	rm -rf node_modules && npm install --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/LICENSE static/vendor/bootstrap/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images node_modules/leaflet/LICENSE static/vendor/leaflet/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	# axe-core is for the browser tests' accessibility check (tests/e2e/axe.py); no page loads it.
	mkdir -p static/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/
	# The .map files are not vendored: a file naming its map would fail collectstatic.
	$(PYTHON) scripts/strip_source_maps.py $$(find static/vendor -name '*.js' -o -name '*.css')

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
