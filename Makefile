# Schedule Explorer — developer commands. Each target creates/updates its own virtualenv (.venv).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint fuzz bench mutate smoke-packages system-deps install install-dev clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

# torch is pinned in every pip command that can install it (the [torch] extra only says
# torch>=2.1,<3): an unpinned torch would pull several GB of CUDA wheels.
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install torch==2.13.0 -e '.[server,postgres,torch]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install torch==2.13.0 -e '.[dev,dev-torch,dev-ecosystem]'
	$(PY) -m pip install --no-deps timm==1.0.31
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install and serve the dashboard + API on http://$(HOST):$(PORT)
run: install
	$(VENV)/bin/schedule-explorer serve --host $(HOST) --port $(PORT)

## system-deps: Debian packages the tests need (Chromium for the browser tests, PostgreSQL)
system-deps:
	bash scripts/system-deps.sh

## smoke-packages: build the sdist and the wheel, install them into fresh venvs outside the
##   checkout (the library alone; [server] without torch) and smoke-test them (~1-2 min)
smoke-packages: install-dev
	PYTHON=$(PYTHON) BUILD_PYTHON=$(PY) bash scripts/smoke-packages.sh

## test: install everything, smoke-test the packages, run the whole suite (library, API, browser)
test: install-dev system-deps smoke-packages
	bash scripts/run-tests.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## fuzz: long schemathesis run over every endpoint: every phase, positive and negative data,
##   a fresh seed each run (>= 1,000 cases); replay one with SCHEDULE_EXPLORER_FUZZ_SEED=<seed>
fuzz: install-dev
	@seed="$(SCHEDULE_EXPLORER_FUZZ_SEED)"; seed=$${seed:-$$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}; \
	echo "make fuzz: seed $$seed (replay: make fuzz SCHEDULE_EXPLORER_FUZZ_SEED=$$seed)"; \
	SCHEDULE_EXPLORER_FUZZ_SEED=$$seed SCHEDULE_EXPLORER_FUZZ_EXAMPLES=200 \
	$(VENV)/bin/pytest tests/app/test_fuzz.py -q -s -p no:cacheprovider

## mutate: mutation testing (mutmut) of the closed forms, decimation, caps, canonical JSON and
##   exports, in a copy of the tree (MUTATE_DIR); slow (12-30 min on 2 cores), never in CI.
##   MUTANTS="scheduler_core.decimate*" runs a subset; see docs/testing.md
MUTATE_DIR  ?= /tmp/schedule-explorer-mutate
MUTATE_JOBS ?= 2
MUTANTS     ?=
mutate: install-dev
	rm -rf $(MUTATE_DIR) && mkdir -p $(MUTATE_DIR)
	git ls-files -z -c -o --exclude-standard | tar --null -T - --ignore-failed-read -cf - | tar -xf - -C $(MUTATE_DIR)
	cd $(MUTATE_DIR) && OMP_NUM_THREADS=1 SCHEDULER_CORE_EXAMPLES_SCALE=0.3 \
		nice -n 10 $(abspath $(VENV))/bin/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS) > mutmut-run.log 2>&1 \
		|| { tail -c 3000 mutmut-run.log; exit 1; }
	cd $(MUTATE_DIR) && $(abspath $(PY)) scripts/mutation_summary.py

## bench: print the series benchmark table
bench: install-dev
	$(PY) -m bench.series

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
