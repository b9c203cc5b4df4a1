# The two commands a new user needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install migrate run demo test test-sqlite test-postgres lint bench soak soak-two-servers vendor i18n-extract i18n-compile

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m portal migrate

run: migrate
	$(PY) -m portal serve

demo: migrate
	$(PY) -m portal demo

lint: install
	$(VENV)/bin/ruff check portal tests bench scripts

# The whole suite on SQLite, then again on PostgreSQL (skipped with a reason when it is not
# reachable, unless PORTAL_REQUIRE_POSTGRES=1).
test: migrate lint test-sqlite test-postgres

test-sqlite: install
	PORTAL_TEST_DB=sqlite $(PY) -m pytest

test-postgres: install
	PORTAL_TEST_DB=postgres PORTAL_TEST_DATABASE_URL=$${PORTAL_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(PY) -m pytest -m "not browser"

bench: install
	PYTHONPATH=. $(PY) bench/run.py

# Crash and duplicate test of check-in against the real server, SIGKILLed mid-stream, on SQLite
# and PostgreSQL (skipped with a reason when not reachable). `make test` runs a quick one
# (tests/test_soak.py). It DROPS the public schema of PORTAL_SOAK_DATABASE_URL (default: the
# database test_soak on 127.0.0.1). More options: make soak SOAK_ARGS="--clients 48 --workers 2".
# Two-server mode (two servers on one database, as behind a load balancer; each kill takes one of them):
# make soak SOAK_ARGS="--servers 2", or make soak-two-servers.
soak: install
	$(PY) scripts/soak.py --backend both $(SOAK_ARGS)

soak-two-servers: install
	$(PY) scripts/soak.py --backend both --servers 2 $(SOAK_ARGS)

vendor: install
	$(PYTHON) scripts/vendor_static.py
	$(PY) scripts/subset_switch_font.py

# Translations: extract messages from code and templates, merge them into each catalogue
# (portal/translations/<lang>/LC_MESSAGES/messages.po), then translate the empty entries.
# Labels shown through a variable (`_(STATUSES[s])`, `{{ _(kind_labels[k]) }}`) are found only where they
# are defined inside N_("..."): an unmarked label drops out of the catalogue as soon as no other `_()` uses
# the same words (tests/test_i18n_catalogue.py checks the vocabularies). Entries the code no longer uses
# are removed, not kept as #~ comments.
i18n-extract: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ --no-location --sort-output \
		--project=portal -o portal/translations/messages.pot .
	$(VENV)/bin/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching \
		--ignore-obsolete

# The portal reads the .po files directly; compiled .mo files are for other tools.
i18n-compile: install
	$(VENV)/bin/pybabel compile -d portal/translations --statistics
