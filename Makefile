# shopbot — `make run` starts the bot on http://127.0.0.1:8000, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run# runtime dependencies (`make run`)
TEST_STAMP := $(VENV)/.installed-test# plus the `test` extra (`make test`, `make lint`)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUN_PACKAGES := fonts-noto-cjk# Chinese text in the price charts
TEST_PACKAGES := $(RUN_PACKAGES) chromium# the browser tests

.PHONY: run test install install-test debian services lint bench clean

# SANDBOX=1: the demo runs with the sandbox payments and controls (`shopbot serve` alone keeps them off);
# DEMO_MERCHANT_HISTORY=1: a few demo merchants get reviews, spot checks and a delisted item;
# DEMO_MERCHANT_POLICY=1: the demo stores answer after-sales tickets by the README's policy.
run: install
	@$(MAKE) --no-print-directory debian PACKAGES="$(RUN_PACKAGES)"
	SANDBOX=1 DEMO_MERCHANT_HISTORY=1 DEMO_MERCHANT_POLICY=1 $(BIN)/shopbot serve

test: install-test services
	@$(MAKE) --no-print-directory debian PACKAGES="$(TEST_PACKAGES)"
	$(BIN)/python -m pytest -q

install: $(RUN_STAMP)

install-test: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "shopbot needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)

# The runtime only (no test tools); --no-compile: modules are compiled when first imported, not all.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --no-compile -e .
	touch $(RUN_STAMP)

# The `test` extra on top: its own stamp, so `make test` after `make run` still installs it.
$(TEST_STAMP): $(RUN_STAMP) pyproject.toml
	$(BIN)/pip install -e '.[test]'
	touch $(TEST_STAMP)

# Debian packages (PACKAGES), installed only when missing.
PACKAGES ?= $(TEST_PACKAGES)
debian:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The PostgreSQL and Redis of this machine, started when they are down.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 0.2; done; \
	  echo "PostgreSQL or Redis did not come up" >&2; exit 1

lint: install-test
	$(BIN)/ruff check bot nlu dialogue shop integrations tracking tests benchmarks
	$(BIN)/mypy bot nlu dialogue shop integrations tracking

bench: install-test services
	$(BIN)/python -m benchmarks.nlu.run
	$(BIN)/python -m benchmarks.search.run
	$(BIN)/python -m benchmarks.search.catalog
	$(BIN)/python -m benchmarks.dialogue.run
	$(BIN)/python -m benchmarks.orders.run
	$(BIN)/python -m benchmarks.channels.run
	$(BIN)/python -m benchmarks.alerts.run
	$(BIN)/python -m benchmarks.turns.run

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache
