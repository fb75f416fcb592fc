# One set of commands for people and CI. `make run` and `make test` set everything up themselves.
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point where `make run` serves (`make run PORT=8080`), unless SITE_URL is set.
SITE_URL ?= http://$(if $(filter 127.0.0.1 0.0.0.0,$(HOST)),localhost,$(HOST)):$(PORT)

.PHONY: install system run test lint fmt worker beat messages clean bench-load bench-booking lock audit

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "Python 3.12 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# A development checkout runs in DEBUG (settings read .env; the real environment wins), so that
# `.venv/bin/python manage.py ...` works here too. Production sets its own environment.
.env:
	echo "DEBUG=1" > .env

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python .env
	$(BIN)/pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## system: Debian packages of the tests: Pango and fonts for the PDF print-outs (WeasyPrint; Noto
## Sans Arabic of fonts-noto-core for the Arabic ones),
## Chromium for the browser tests (Playwright cannot download its own browsers here). Installed
## when missing and run as root; otherwise the command to run is printed.
system:
	@missing=""; \
	ldconfig -p | grep -q libpangoft2-1.0.so.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fontconfig fonts-dejavu-core"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans Arabic" || missing="$$missing fonts-noto-core"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing$$missing"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing. Install them: sudo apt-get install$$missing"; \
	  fi; \
	fi

## run: the whole product on the embedded default (SQLite, console e-mail, eager tasks, demo data)
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the test suite (SQLite by default; PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set)
test: install system
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## worker / beat: Celery against REDIS_URL (export it first)
worker: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL, for example redis://127.0.0.1:6379/0"; exit 1; }
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2

beat: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL, for example redis://127.0.0.1:6379/0"; exit 1; }
	$(BIN)/celery -A config beat --loglevel=INFO

## messages: refresh the translation catalogues (French, Arabic) and compile them
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l fr -l ar --no-obsolete --ignore=.venv --ignore=static/vendor --ignore=tests --ignore=bench
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

## bench-load: load benchmark of the busiest pages (needs PostgreSQL and Redis; see bench/)
bench-load: install
	$(BIN)/pip install -q -r bench/requirements.txt
	$(BIN)/python -m bench.load

## bench-booking: the same, for the booking page, the booking and the agenda only (issue 4)
bench-booking: install
	$(BIN)/pip install -q -r bench/requirements.txt
	BENCH_PAGES=booking $(BIN)/python -m bench.load

## lock: remake the locks (requirements.txt, requirements-dev.txt: every package pinned, with its
## hashes) from requirements.in and requirements-dev.in; UPGRADE=1 moves to the newest versions
## the pins allow. `make install` then installs exactly what the lock names, hashes checked.
PIP_COMPILE = $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: install
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

## audit: the locked packages against known vulnerabilities (pip-audit, through PyPI's per-version
## JSON API or else OSV: .ci/audit.py); fails on any, and on a package it could not check. When no
## service is reachable it says "NOT AUDITED" and passes (AUDIT_REQUIRED=1: fails).
audit: install
	$(BIN)/python .ci/audit.py
