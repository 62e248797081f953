# TradeKitt API. The two commands a fresh machine needs: `make run` and `make test`.
# The first interpreter that really runs and is 3.11+ (pyenv shims may exist but fail).
PYTHON ?= $(shell for p in python3 python3.12 python3.11 python3.13; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; \
	done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Rate limits (requests per 60 s); raise them for load tests.
RATE_LIMIT_IP ?= 300
RATE_LIMIT_TENANT ?= 200
RATE_LIMIT_AUTH ?= 5
# `make run FRESH=1` starts from an empty local state (the table, files, queued messages).
FRESH ?=
export RATE_LIMIT_IP RATE_LIMIT_TENANT RATE_LIMIT_AUTH PORT FRESH

.PHONY: run reset tick routes test test-fast bench fuzz lint install chromium package deploy clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<26.3"  # chalice 1.34 requires pip<26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## Start the emulator, deploy infra, seed DEMO, serve the API on localhost:$(PORT).
run: $(STAMP)
	$(PY) -m infra.local.run

## Forget everything entered under `make run` (next start is clean, like FRESH=1).
reset: $(STAMP)
	$(PY) -c "from infra.local.run import reset, state_dir; reset(state_dir())"

## With `make run` up: fire every scheduled job once and drain the events queue.
tick: $(STAMP)
	$(PY) -m infra.local.worker --once

## The deployable artefacts of STAGE (default dev) in dist/$(STAGE)/: the Lambda zip without
## what the Lambda runtime ships (boto3, botocore...), the SAM template, package.json sizes.
STAGE ?= dev
package: $(STAMP)
	$(PY) -m infra.package --stage $(STAGE)

## Deploy dist/$(STAGE)/ (make package first) to the AWS account of the environment with a
## CloudFormation change set (infra/deploy.py); PARAMS="LogLevel=DEBUG ApiUrl=..." sets
## template parameters, DEPLOY_BUCKET the artifact bucket, AWS_ENDPOINT_URL an emulator.
PARAMS ?=
deploy: $(STAMP)
	$(PY) -m infra.deploy --stage $(STAGE) $(foreach p,$(PARAMS),--param $(p))

## Regenerate chalicelib/core/route_table.py after adding or changing a route.
routes: $(STAMP)
	$(PY) -m chalicelib.core.registry
	$(VENV)/bin/ruff format -q chalicelib/core/route_table.py

## Lint first, then the whole suite: unit, API (moto) and end-to-end (HTTP) tests.
test: lint chromium
	$(PY) -m pytest -n auto -q

## Headless Chromium for the Swagger UI test (tests/e2e/test_docs_e2e.py): when it is
## missing, installed with apt-get as root (quietly; a failure only means that test is
## skipped, with the reason). CHROMIUM=/path/to/chrome uses another build.
chromium:
	@if [ -n "$$CHROMIUM" ] || command -v chromium >/dev/null 2>&1 \
		|| command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium with apt-get (for the Swagger UI test)"; \
		apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o Acquire::Retries=1 -o Acquire::http::Timeout=30 chromium >/dev/null 2>&1; }; \
		apt_install || { apt-get update -qq >/dev/null 2>&1; apt_install; } \
			|| echo "chromium could not be installed: the Swagger UI test will be skipped"; \
	else \
		echo "no chromium (and not root with apt-get): the Swagger UI test will be skipped"; \
	fi

## Unit and API tests only.
test-fast: $(STAMP)
	$(PY) -m pytest -n auto -q --ignore=tests/e2e

## Benchmarks (not tests): DynamoDB calls per request, import time.
bench: $(STAMP)
	$(PY) -m bench

## With `make run RATE_LIMIT_IP=0 RATE_LIMIT_TENANT=0 RATE_LIMIT_AUTH=0` up: schemathesis
## over every operation (any 5xx fails); installs schemathesis into .local/fuzz on first use.
fuzz: $(STAMP)
	$(PY) -m infra.local.fuzz

## Style (ruff, ruff format), import rules (.importlinter) and the CloudFormation template.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/cfn-lint infra/template.yaml

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
