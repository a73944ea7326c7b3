# CTE Tracker — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/cte_tracker
# A test database of its own per run, so two runs on one server cannot collide.
PG_TEST_DB ?= test_cte_tracker_$(shell echo $$$$)

.PHONY: install run demo serve test lint test-postgres test-browser bench-import bench-dashboard bench-search bench-batch-page bench-load check-postgres clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py seed_demo

# The demo runs as a district's server does: DEBUG off (the app's own error pages, never Django's
# technical ones), static files collected and served by WhiteNoise. The key is for this demo only, and
# cookies go over plain HTTP because the demo has no HTTPS.
DEMO_HOSTS ?= 127.0.0.1,localhost
# Two-factor sign-in is off in the demo (its logins have no authenticator app): TWO_FACTOR_ROLES=coordinator make run
# turns it on for the coordinator.
TWO_FACTOR_ROLES ?=
DEMO_ENV = DJANGO_DEBUG=0 SECRET_KEY=demo-only-key-never-use-on-a-server ALLOWED_HOSTS=$(DEMO_HOSTS) SECURE_COOKIES=0 TWO_FACTOR_ROLES=$(TWO_FACTOR_ROLES)

## make run: set up the demo on SQLite and serve it on http://127.0.0.1:8000 with the import worker beside it.
run: demo
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0
	@echo "CTE Tracker is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@trap 'kill 0' INT TERM EXIT; \
	$(DEMO_ENV) $(PY) manage.py db_worker --queue-name '*' & \
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

## make test: lint, migration check and the whole suite on SQLite (browser tests when Chromium is installed).
test: lint
	$(VENV)/bin/pytest
	@test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || echo "NOTE: Chromium is not installed, so the browser tests were SKIPPED (apt-get install chromium)."

check-postgres:
	@$(PY) -c "import psycopg2,sys; psycopg2.connect('$(PG_URL)'.rsplit('/',1)[0] + '/postgres').close()" \
	  || (echo "PostgreSQL is not reachable at $(PG_URL)"; exit 1)

## The same suite against PostgreSQL (CI runs this; it fails, never skips, when PostgreSQL is down).
test-postgres: install check-postgres
	DATABASE_URL=$(PG_URL) TEST_DATABASE_NAME=$(PG_TEST_DB) $(VENV)/bin/pytest --create-db

## Browser tests only; fails when Chromium is missing.
test-browser: install
	REQUIRE_BROWSER=1 $(VENV)/bin/pytest -m browser

## Student search with 100,000 students on PostgreSQL, in a database of its own created and dropped by the run.
BENCH_SEARCH_URL ?= postgres://postgres@127.0.0.1:5432/cte_bench_search
BENCH_SEARCH_STUDENTS ?= 100000
bench-search: install check-postgres
	DATABASE_URL=$(BENCH_SEARCH_URL) DJANGO_DEBUG=1 $(PY) manage.py bench_search --students $(BENCH_SEARCH_STUDENTS)

## Import benchmark: 100,000-row roster CSV and XLSX on SQLite and PostgreSQL beside django-import-export.
bench-import: install check-postgres
	$(PY) bench/bench_import.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts

## make bench-dashboard: generate 60,000 students / 300,000 awards on PostgreSQL in a database of its own,
## time the dashboard, then drop the database. BENCH_STUDENTS / BENCH_AWARDS / BENCH_SCHOOLS change the size
## (state size: make bench-dashboard BENCH_STUDENTS=1000000 BENCH_AWARDS=5000000 BENCH_SCHOOLS=300 BENCH_RUNS=3).
BENCH_DASHBOARD_DB ?= cte_bench_dashboard
BENCH_STUDENTS ?= 60000
BENCH_AWARDS ?= 300000
BENCH_SCHOOLS ?= 20
BENCH_RUNS ?= 7
BENCH_PG_ADMIN = $(PY) -c "import psycopg2,sys; c=psycopg2.connect('$(PG_URL)'.rsplit('/',1)[0] + '/postgres'); c.autocommit=True; c.cursor().execute(sys.argv[1])"
bench-dashboard: install check-postgres
	$(BENCH_PG_ADMIN) "DROP DATABASE IF EXISTS $(BENCH_DASHBOARD_DB)"
	$(BENCH_PG_ADMIN) "CREATE DATABASE $(BENCH_DASHBOARD_DB)"
	@status=0; \
	DATABASE_URL=$(PG_URL:/cte_tracker=)/$(BENCH_DASHBOARD_DB) DJANGO_DEBUG=0 SECRET_KEY=bench-only-not-a-secret ALLOWED_HOSTS=testserver \
	  sh -c '$(PY) manage.py migrate --noinput -v0 && $(PY) manage.py bench_dashboard --students $(BENCH_STUDENTS) --awards $(BENCH_AWARDS) --schools $(BENCH_SCHOOLS) --runs $(BENCH_RUNS)' \
	  || status=$$?; \
	$(BENCH_PG_ADMIN) "DROP DATABASE IF EXISTS $(BENCH_DASHBOARD_DB)"; exit $$status

## make bench-batch-page: check and import a 300,000-row roster with an error on every row on PostgreSQL, in a
## database of its own created and dropped by the run, and time the batch page and its downloads, cold and warm.
BENCH_BATCH_DB ?= cte_bench_batch_page
BENCH_BATCH_ROWS ?= 300000
bench-batch-page: install check-postgres
	$(BENCH_PG_ADMIN) "DROP DATABASE IF EXISTS $(BENCH_BATCH_DB)"
	$(BENCH_PG_ADMIN) "CREATE DATABASE $(BENCH_BATCH_DB)"
	@status=0; \
	DATABASE_URL=$(PG_URL:/cte_tracker=)/$(BENCH_BATCH_DB) DJANGO_DEBUG=0 SECRET_KEY=bench-only-not-a-secret ALLOWED_HOSTS=testserver \
	  sh -c '$(PY) manage.py migrate --noinput -v0 && $(PY) manage.py bench_batch_page --rows $(BENCH_BATCH_ROWS) --runs $(BENCH_RUNS)' \
	  || status=$$?; \
	$(BENCH_PG_ADMIN) "DROP DATABASE IF EXISTS $(BENCH_BATCH_DB)"; exit $$status

## make bench-load: 50 counselors and 5 board viewers for 2 minutes against gunicorn (127.0.0.1:8101) and
## PostgreSQL with a 20,000-student district (BENCH_LOAD_STUDENTS; 5 awards per student), plus
## BENCH_LOAD_COORDINATORS coordinators, in the database cte_bench_load (made on the first run, kept for the next). Prints count, errors, p50, p95 and req/s per request type; files in bench-data/load/.
## BENCH_LOAD_SECONDS=30 for a short run, BENCH_LOAD_FRESH=1 to generate the district again,
## BENCH_LOAD_PROFILE=1 to sample the server with py-spy, BENCH_LOAD_ONLY=counselors (or dashboard) for one group alone,
## BENCH_LOAD_TASK_WORKER=0 to run gunicorn without the task worker.
BENCH_LOAD_SECONDS ?= 120
BENCH_LOAD_WORKERS ?= 3
BENCH_LOAD_PORT ?= 8101
BENCH_LOAD_DB ?= cte_bench_load
BENCH_LOAD_STUDENTS ?= 20000
BENCH_LOAD_COORDINATORS ?= 0
$(VENV)/.bench-installed: $(VENV)/.installed requirements-bench.txt
	$(PIP) install --quiet -r requirements-bench.txt
	touch $@
bench-load: $(VENV)/.bench-installed check-postgres
	$(PY) bench/bench_load.py --seconds $(BENCH_LOAD_SECONDS) --workers $(BENCH_LOAD_WORKERS) \
	  --port $(BENCH_LOAD_PORT) --database-name $(BENCH_LOAD_DB) --students $(BENCH_LOAD_STUDENTS) \
	  --awards $$(( $(BENCH_LOAD_STUDENTS) * 5 )) --coordinators $(BENCH_LOAD_COORDINATORS) \
	  $(if $(filter 1,$(BENCH_LOAD_FRESH)),--fresh) $(if $(filter 1,$(BENCH_LOAD_PROFILE)),--profile) \
	  $(if $(BENCH_LOAD_ONLY),--only $(BENCH_LOAD_ONLY)) $(if $(filter 0,$(BENCH_LOAD_TASK_WORKER)),--no-task-worker)
