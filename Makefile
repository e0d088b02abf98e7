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
# pytest caches its assertion-rewritten test modules in __pycache__ only where Python may write
# bytecode: under PYTHONDONTWRITEBYTECODE (CI images often set it) every worker would rewrite all
# the test modules at every run (about 5 s each).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

.PHONY: docs test test-fast bench fuzz templates check status schema system-deps bytecode clean

system-deps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "安装 Python 依赖到 $(VENV) …"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# The package's bytecode, written once: where PYTHONDONTWRITEBYTECODE is set (CI images often set
# it) every `salespm` process would otherwise compile the whole package again (about 0.4 s each).
# Quick when nothing changed; a module edited later is compiled in memory until the next run.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 salespm_docs >/dev/null

docs: system-deps $(STAMP) bytecode
	$(BIN)/salespm build $(PROJECT)

check: system-deps $(STAMP) bytecode
	$(BIN)/salespm check $(PROJECT)

status: system-deps $(STAMP) bytecode
	$(BIN)/salespm status

test: system-deps $(STAMP) bytecode
	$(PYTEST) $(PYTEST_ARGS)

test-fast: system-deps $(STAMP) bytecode
	$(PYTEST) $(PYTEST_ARGS) -m "not slow"

bench: system-deps $(STAMP) bytecode
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.archive

fuzz: system-deps $(STAMP) bytecode
	HYPOTHESIS_PROFILE=long $(PYTEST) tests/test_fuzz.py $(PYTEST_ARGS)

templates: $(STAMP)
	$(BIN)/salespm templates

schema: $(STAMP)
	$(BIN)/salespm schema -o salespm-project.schema.json

clean:
	rm -rf output/* .pytest_cache
