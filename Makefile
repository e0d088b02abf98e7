# salespm-docs: two commands do everything.
#   make docs [PROJECT=<slug>]   build one project's documents into output/<slug>/
#   make test                    run the whole test suite (what CI runs)
#   make test-fast               the fast suite: no example build, no real client (a few minutes)
# Both install what they need the first time (system packages, .venv, the package).

PROJECT ?= huaxing-crm
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n auto --durations=25

.PHONY: docs test test-fast bench fuzz templates check status schema system-deps clean

system-deps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "安装 Python 依赖到 $(VENV) …"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

docs: system-deps $(STAMP)
	$(BIN)/salespm build $(PROJECT)

check: system-deps $(STAMP)
	$(BIN)/salespm check $(PROJECT)

status: system-deps $(STAMP)
	$(BIN)/salespm status

test: system-deps $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: system-deps $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS) -m "not slow"

bench: system-deps $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.archive

fuzz: system-deps $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

templates: $(STAMP)
	$(BIN)/salespm templates

schema: $(STAMP)
	$(BIN)/salespm schema -o salespm-project.schema.json

clean:
	rm -rf output/* .pytest_cache
