# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Reinstall when a requirements file changes.
INSTALLED := $(VENV)/.installed-$(shell cat requirements-dev.txt layers/shared/requirements.txt | sha1sum | cut -c1-12)

.PHONY: install run test test-fast openapi openapi-check lint bench clean sam-cli build validate asl-check smoke smoke-local deploy-checks lambda-runtime iam-deps

# uv fills the three virtual environments (pip took 170 s for them on a fresh clone, local/README.md):
# installed once with pip into .tools/; it makes each venv (with pip, `--seed`) from the interpreter
# given, never downloading a Python, and fetches from PyPI only. The requirements files keep their pins.
UV_VERSION := 0.13.8
UV_DIR := .tools/uv-$(UV_VERSION)
UV := $(UV_DIR)/bin/uv
UV_ENV := UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
UV_VENV := $(UV_ENV) $(UV) venv --quiet --seed --python
UV_PIP := $(UV_ENV) $(UV) pip --quiet

# The interpreter's own pip when it has one (a venv costs 5 s), else a venv's (a Python without pip).
$(UV):
	@PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --quiet --upgrade --target $(UV_DIR) uv==$(UV_VERSION) 2>/dev/null \
	  || { $(PYTHON) -m venv $(UV_DIR)-pip && $(UV_DIR)-pip/bin/pip install --quiet --upgrade --target $(UV_DIR) uv==$(UV_VERSION); }
	@$(UV) --version

# --- the SAM CLI, in a virtual environment of its own (its pins conflict with ours). `sam build` runs
# without Docker; it needs the Lambda runtime's Python (3.12) on PATH: pyenv's when there is one.
SAM_VENV := .venv-sam
SAM_VERSION := 1.170.0
SAM := $(SAM_VENV)/bin/sam
PY312_DIR := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin))
SAM_ENV := PATH="$(if $(PY312_DIR),$(PY312_DIR):)$$PATH" SAM_CLI_TELEMETRY=0

$(SAM_VENV)/.installed-$(SAM_VERSION): | $(UV)
	@test -x $(SAM_VENV)/bin/python || $(UV_VENV) $(PYTHON) $(SAM_VENV)
	$(UV_PIP) install --python $(SAM_VENV)/bin/python aws-sam-cli==$(SAM_VERSION)
	@rm -f $(SAM_VENV)/.installed-* && touch $@

sam-cli: $(SAM_VENV)/.installed-$(SAM_VERSION)

# What Lambda runs: .aws-sam/build (each function's code and the built layer).
build: sam-cli
	$(SAM_ENV) $(SAM) build --cached --parallel

# What only AWS would refuse, checked with AWS's own tools (issue 11): the SAM CLI's validation and
# cfn-lint, its build, the translated template's topology (tests/deploy), asl-validator on the state
# machines, and the smoke test against a local stack started for it.
validate: sam-cli
	$(SAM_ENV) $(SAM) validate --lint

ASL_VALIDATOR_VERSION := 4.0.0
ASL_VALIDATOR_DIR := .tools/asl-validator-$(ASL_VALIDATOR_VERSION)
ASL_VALIDATOR := $(ASL_VALIDATOR_DIR)/node_modules/.bin/asl-validator

$(ASL_VALIDATOR):
	@command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	npm install --prefix $(ASL_VALIDATOR_DIR) --no-audit --no-fund --ignore-scripts asl-validator@$(ASL_VALIDATOR_VERSION)

asl-check: $(ASL_VALIDATOR)
	$(ASL_VALIDATOR) $(foreach f,$(wildcard statemachine/*.asl.json),--json-path $(f))

# make smoke URL=https://<PublicBaseUrl>: the health check, CloudFront's routing and an Option 1 journey.
smoke: install
	@test -n "$(URL)" || (echo "usage: make smoke URL=https://<the stack's PublicBaseUrl>" && exit 2)
	$(PY) -m scripts.smoke --url "$(URL)"

smoke-local: install web-build $(BUILT) lambda-runtime
	$(PY) -m scripts.smoke --start-local

deploy-checks: validate build asl-check
	REQUIRE_SAM_CLI=1 $(PY) -m pytest -q tests/deploy
# --- end of the SAM CLI

# The Lambda runtime's Python (3.12) with what the runtime ships (boto3): the local stack runs each
# function's execution environments on it, with the built code and layer (local/README.md).
LAMBDA_VENV := .venv-lambda
LAMBDA_PY312 := $(if $(PY312_DIR),$(PY312_DIR)/python3.12,python3.12)
LAMBDA_INSTALLED := $(LAMBDA_VENV)/.installed-$(shell cat local/lambda-runtime-requirements.txt | sha1sum | cut -c1-12)

$(LAMBDA_INSTALLED): local/lambda-runtime-requirements.txt | $(UV)
	@test -x $(LAMBDA_VENV)/bin/python || $(UV_VENV) $(LAMBDA_PY312) $(LAMBDA_VENV)
	$(UV_PIP) install --python $(LAMBDA_VENV)/bin/python -r local/lambda-runtime-requirements.txt
	@rm -f $(LAMBDA_VENV)/.installed-* && touch $@

lambda-runtime: $(LAMBDA_INSTALLED)

# The IAM evaluator of the least-privilege check (local/iam.py), from npm.
IAM_STAMP := local/iam/node_modules/.installed-$(shell cat local/iam/package-lock.json 2>/dev/null | sha1sum | cut -c1-12)

$(IAM_STAMP): local/iam/package-lock.json
	@command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	cd local/iam && npm ci --ignore-scripts --no-audit --no-fund
	@rm -f local/iam/node_modules/.installed-* && touch $@

iam-deps: $(IAM_STAMP)

$(INSTALLED): | $(UV)
	@test -x $(PY) || $(UV_VENV) $(PYTHON) $(VENV)
	$(UV_PIP) install --python $(PY) --upgrade pip
	@# phonenumberslite replaces phonenumbers (same package directory): the full one must go first.
	@$(UV_PIP) uninstall --python $(PY) phonenumbers 2>/dev/null || true
	$(UV_PIP) install --python $(PY) -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

# --- web client: the DSFR from npm, reinstalled only when web/package-lock.json (or the copy script)
# changes, copied into web/vendor/ (only what the client uses); Debian's Chromium for the browser tests
# (Playwright's own browser download does not work here).
WEB_STAMP := web/vendor/.installed-$(shell cat web/package-lock.json web/scripts/vendor.mjs 2>/dev/null | sha1sum | cut -c1-12)

.PHONY: web-deps web-build web-budget demo chromium

$(WEB_STAMP): web/package-lock.json web/scripts/vendor.mjs
	@command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	node web/scripts/vendor.mjs
	@rm -f web/vendor/.installed-* && touch $@

web-deps: $(WEB_STAMP)

# What a first visit downloads, built into web/dist/ (one CSS, one JS, two subset fonts): rebuilt
# when a source of the client changes.
WEB_SOURCES := web/index.html web/activation.src.html web/scripts/build.mjs $(shell find web/js web/css web/img -type f 2>/dev/null)

web/dist/.built: $(WEB_STAMP) $(WEB_SOURCES)
	node web/scripts/build.mjs
	@touch $@

web-build: web-deps web/dist/.built

# The README's API walkthrough (curl) against a running `make run`; honours LOCAL_PORT.
demo:
	bash scripts/demo.sh

# The phone budget of the first visit (requests, bytes as sent and brotli, CLS, Lighthouse mobile).
web-budget: install web-build chromium
	$(PY) -m scripts.web_budget --lighthouse

chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
# --- end of web client

install: $(INSTALLED) web-deps

# The stack runs what `sam build` produced, rebuilt only when a source is newer than the build.
BUILT := .aws-sam/build/template.yaml
BUILD_SOURCES := template.yaml $(shell find functions layers statemachine -type f -not -path '*/__pycache__/*' 2>/dev/null)

$(BUILT): $(BUILD_SOURCES) | sam-cli
	$(SAM_ENV) $(SAM) build --cached --parallel

run: install web-build $(BUILT) lambda-runtime
	$(PY) -m local

test: install web-build chromium $(BUILT) lambda-runtime iam-deps
	$(MAKE) --no-print-directory validate asl-check
	REQUIRE_SAM_CLI=1 $(PY) -m pytest -n 2 --dist loadgroup
	$(MAKE) --no-print-directory lint openapi-check smoke-local

test-fast: install
	$(PY) -m pytest -q tests/unit tests/functional

# Style (ruff), types (mypy, strict on the layer; the fakes against their ports), the layer contract
# (import-linter, pyproject.toml), the template (cfn-lint).
lint: install
	$(VENV)/bin/ruff check layers functions tests scripts
	$(VENV)/bin/mypy layers/shared/ameli tests/fakes.py tests/values.py
	PYTHONPATH=layers/shared $(VENV)/bin/lint-imports
	$(VENV)/bin/cfn-lint template.yaml

openapi: install
	$(PY) -m scripts.openapi > docs/openapi.json

openapi-check: install
	@$(PY) -m scripts.openapi | diff -u docs/openapi.json - \
		|| (echo "docs/openapi.json is out of date: run 'make openapi' and commit it." && exit 1)

bench: install web-build $(BUILT) chromium lambda-runtime
	$(PY) -m scripts.bench

clean:
	rm -rf $(VENV) $(SAM_VENV) $(LAMBDA_VENV) .pytest_cache .aws-sam .tools
