# Yiwang — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's own random keys, made once under var/ by yiwang.localkeys (DEBUG stays off).
KEYS := YIWANG_SECRET_KEY_FILE=$(CURDIR)/var/secret_key YIWANG_MASTER_KEY_FILE=$(CURDIR)/var/master_key

.PHONY: install keys run serve test lint worker bench cluster soak backup-check clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

keys: install
	$(BIN)/python -m yiwang.localkeys var

run: keys
	$(KEYS) $(BIN)/yiwang migrate --noinput
	$(KEYS) $(BIN)/yiwang load_demo
	$(KEYS) $(BIN)/yiwang demo_logins
	@echo "Yiwang 一网通办 is at http://$(HOST):$(PORT)/"
	$(KEYS) $(BIN)/yiwang runserver $(HOST):$(PORT) --noreload

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

worker: keys
	$(KEYS) $(BIN)/yiwang worker

# make bench [SCALE=1000000] [ONLY=calendar,queues]; the database is YIWANG_BENCH_DATABASE_URL
SCALE ?= 10000
ONLY ?=
bench: keys
	$(KEYS) $(BIN)/python -m bench --scale $(SCALE) $(if $(ONLY),--only $(ONLY))

# Not part of `make test`: several processes on this machine, killed with kill -9 under load, on their own
# database (yiwang_cluster / yiwang_soak) and Redis db (12 / 13). YIWANG_CLUSTER_SECONDS, YIWANG_SOAK_SECONDS.
cluster: keys
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends haproxy
	$(KEYS) $(BIN)/python -m bench.cluster cluster

soak: keys
	$(KEYS) $(BIN)/python -m bench.cluster soak

# pg_dump → restore into a fresh database → migrate --check → a case's history and the audit chain verify.
backup-check: keys
	$(KEYS) $(BIN)/python -m bench.backup_check

clean:
	rm -rf $(VENV) var/*.sqlite3
