# Amparo: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO := AMPARO_DEMO=1 PORT=$(PORT)

.PHONY: run test crawl install translations messages lint demo-db clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Compiled with Babel (pure Python), so no system gettext is needed to run Amparo.
translations: install
	$(BIN)/pybabel compile --domain django --directory locale --statistics

demo-db: install translations
	$(DEMO) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO) $(BIN)/python manage.py migrate --database keys --noinput -v0
	$(DEMO) $(BIN)/python manage.py collectstatic --noinput -v0
	$(DEMO) $(BIN)/python manage.py seed_demo

# The worker delivers notification mail and runs the periodic jobs; it stops with the server.
run: demo-db
	@echo "Amparo demo on http://127.0.0.1:$(PORT)/ — fictional data only."
	$(DEMO) $(BIN)/python manage.py run_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install translations
	$(BIN)/pytest $(PYTEST_ARGS)

# The crawl: every page each demo role reaches, at 390 and 1280 px, in English and Spanish,
# every form submitted empty (tests/e2e/test_crawl.py). Minutes, not seconds: CI runs it
# as a step of its own, and `make test` leaves it out. On SQLite only; needs Chromium.
crawl: install translations
	$(BIN)/pytest -m crawl tests/e2e/test_crawl.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# For developers: extract new strings into the Spanish catalogue (needs GNU gettext).
messages: install
	$(DEMO) $(BIN)/python manage.py makemessages --locale es --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'

clean:
	rm -rf $(VENV) var
