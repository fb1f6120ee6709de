# One command each: `make run` (the platform with demo data on http://127.0.0.1:8000) and
# `make test` (the whole suite). Both need only python3 (3.11 or newer) to start.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDRPORT ?= 127.0.0.1:8000
# pytest arguments; by default up to four processes (pytest-xdist). E.g. `make test PYTEST_ARGS="tests/foundation -x"`.
PYTEST_ARGS ?= -n auto --maxprocesses=4

.PHONY: run test install install-test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py devserver $(ADDRPORT)

# pytest's exit code 5 means "no tests were collected": a run that proves nothing fails too.
test: install-test
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$status

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles
