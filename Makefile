# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-libs demo serve test lint check bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed system-libs

## system-libs: Pango and a font for PDF reports (WeasyPrint), from Debian's packages when missing
system-libs:
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || ! fc-list | grep -q .; then \
		echo "installing Pango and fonts for PDF reports"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	fi

## make demo: install, migrate the SQLite default, load catalogue + demo data, serve http://127.0.0.1:8000
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: install and run the whole suite (real services when DATABASE_URL / REDIS_URL are set)
test: install
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py check
	SECRET_KEY=check-only-$$(date +%s)-not-a-real-key-0123456789abcdefghij ALLOWED_HOSTS=example.org \
		$(PY) manage.py check --deploy --fail-level WARNING --settings=config.settings.production

bench: install
	$(PY) bench/estimate_batch.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
