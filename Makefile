# ecs-operator: `make run` runs the operator, `make test` runs every check. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
ARGS ?= run

.DEFAULT_GOAL := help
.PHONY: help run test lint generate golden bench cluster-bin cluster cluster-down

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP):
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

run: $(STAMP) ## Run the operator on the current kubeconfig; ARGS="render -f examples/" runs another command
	$(BIN)/ecs-operator $(ARGS)

test: $(STAMP) ## Lint, type-check, check import layers, run the tests (building the local control plane once)
	$(BIN)/python -m ecs_operator.localcluster bin --optional --background
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

cluster-bin: $(STAMP) ## Build the local control plane's programs once (Go; cached outside the repo)
	$(BIN)/python -m ecs_operator.localcluster bin

cluster: $(STAMP) ## Start the local control plane (real API server, kwok nodes), install crds/, print KUBECONFIG
	$(BIN)/python -m ecs_operator.localcluster up

cluster-down: $(STAMP) ## Stop the local control plane; nothing of it keeps running
	$(BIN)/python -m ecs_operator.localcluster down

generate: $(STAMP) ## Regenerate the models from botocore and crds/ from the models
	$(BIN)/python -m ecs_operator.tools.codegen
	$(BIN)/ecs-operator crds -o crds

golden: $(STAMP) ## Regenerate the golden test fixtures after an intended change
	$(BIN)/python -m tests.golden_update

bench: $(STAMP) ## Print performance figures
	$(BIN)/python -m bench
