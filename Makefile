# One command each: `make run` (the platform with demo data on http://127.0.0.1:8000) and
# `make test` (the whole suite). Both need only python3 (3.11 or newer) to start.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Where `make run` serves; absolute links (manage links, .ics, SMS, e-mail) follow it unless
# PUBLIC_BASE_URL is set, e.g. `make run ADDRPORT=127.0.0.1:8111`.
ADDRPORT ?= 127.0.0.1:8000
PUBLIC_BASE_URL ?= http://$(ADDRPORT)
# Exact versions with hashes (requirements/*.txt, a universal lock for every supported Python);
# `make lock` adds what pyproject.toml gained, `make lock UPGRADE=1` moves everything to the newest.
LOCK_ARGS = --universal --python-version 3.11 --generate-hashes --index-url https://pypi.org/simple -q $(if $(UPGRADE),--upgrade)
# pytest arguments; by default up to four processes (pytest-xdist). E.g. `make test PYTEST_ARGS="tests/foundation -x"`.
PYTEST_ARGS ?= -n auto --maxprocesses=4

.PHONY: run test install install-test lint clean lock python-version

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Läsrum needs Python 3.11 or newer; '$(PYTHON)' is: $$($(PYTHON) --version 2>&1 || echo missing)." >&2; \
	  echo "Name another one, e.g. make run PYTHON=python3.12 (after changing Python: make clean)." >&2; exit 1; }

$(BIN)/python: | python-version
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the lock changes: the locked versions with their hashes, then the project
# itself (editable, outside hash mode).
$(VENV)/.installed: pyproject.toml requirements/runtime.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/runtime.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements/test.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml $(LOCK_ARGS) -o requirements/runtime.txt
	$(BIN)/uv pip compile pyproject.toml --extra test $(LOCK_ARGS) -o requirements/test.txt

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/python manage.py migrate --noinput
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/python manage.py seed_demo
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/python manage.py devserver $(ADDRPORT)

# pytest's exit code 5 means "no tests were collected": a run that proves nothing fails too.
test: install-test
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$status

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles
