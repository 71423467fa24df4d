# Yiwang — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint worker bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(BIN)/yiwang migrate --noinput
	$(BIN)/yiwang load_demo
	$(BIN)/yiwang demo_logins
	@echo "Yiwang 一网通办 is at http://$(HOST):$(PORT)/"
	$(BIN)/yiwang runserver $(HOST):$(PORT) --noreload

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

worker: install
	$(BIN)/yiwang worker

# make bench [SCALE=1000000] [ONLY=calendar,queues]; the database is YIWANG_BENCH_DATABASE_URL
SCALE ?= 10000
ONLY ?=
bench: install
	$(BIN)/python -m bench --scale $(SCALE) $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) var/*.sqlite3
