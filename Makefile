# Quick start: `make audit` (the boundary audit) and `make test` (the whole suite).
# Each creates or reuses ./.venv and installs the pinned versions from constraints.txt plus
# this project (editable) before running.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: audit compare test test-wheel soak bench compile-report lint mutate venv clean-venv

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,dev,audit,peers]'
	@touch $(STAMP)

audit: $(STAMP)
	$(VENV)/bin/policy-dists-audit $(AUDIT_ARGS)

# The libraries side by side (~1 min): the table, compare.json and compare.png in compare-out/
# (README's first section). Exits 1 only when the first of COMPARE is over budget.
COMPARE ?= policy_dists,sb3,torchrl,torchrl_plain_tanh,cleanrl_sac,spinning_up_sac,tianshou_sac
compare: $(STAMP)
	$(VENV)/bin/policy-dists-audit --compare $(COMPARE) --out compare-out $(AUDIT_ARGS)

test: $(STAMP)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# The wheel, installed from an empty folder into a fresh environment, gating a user's module
# with policy-dists-audit and policy-dists-check (~2.5 min; run by .ci/run after `make test`).
test-wheel: $(STAMP)
	$(PY) -m pytest suite/tests/test_wheel.py --wheel -p no:xdist $(PYTEST_ARGS)

# The soak: the hypothesis property families with fresh random seeds, SOAK_RUNS times under the
# `dev` profile plus one `thorough` run (about 30 min + the thorough run on 2 cores); each failure
# with the command that reproduces it. SOAK_ARGS passes options (e.g. --no-thorough).
SOAK_RUNS ?= 20
soak: $(STAMP)
	$(PY) -m policy_dists_suite.soak --runs $(SOAK_RUNS) $(SOAK_ARGS)

# Kernel benchmarks (CPU ~4-6 min a run): timings to .benchmarks/latest-1.json, then the ratio
# table. One torch thread by default: issue 15's targets are defined for it, and a two-thread
# kernel stalls whenever its second thread is descheduled (BENCH_THREADS=N to measure N).
# BENCH_RUNS=N repeats the run (latest-1.json .. latest-N.json) and the table takes each
# benchmark's least time over the runs: on a shared machine contention only ever adds time,
# and small-batch ratios moved by up to 1.75x between single runs here (benchmarks/README).
BENCH_THREADS ?= 1
BENCH_RUNS ?= 1
BENCH_FILES = $(foreach run,$(shell seq $(BENCH_RUNS)),.benchmarks/latest-$(run).json)
bench: $(STAMP)
	for file in $(BENCH_FILES); do \
		OMP_NUM_THREADS=$(BENCH_THREADS) $(PY) -m pytest benchmarks --benchmark-enable --benchmark-only --benchmark-json=$$file -p no:xdist $(PYTEST_ARGS) || exit 1; \
	done
	$(PY) -m benchmarks.summary $(BENCH_FILES)

# torch.compile of each output's training step (~1 min): graph breaks and their reasons,
# agreement with eager, eager and compiled time.
compile-report: $(STAMP)
	$(PY) -m benchmarks.compile_report

# Mutation testing (not in CI; a first run takes about 80 minutes on 2 cores): mutmut over impl/policy_dists, then the
# report of killed, equivalent and surviving mutants. Results persist in .mutation/ between runs.
MUTATE_STAMP := $(VENV)/.installed-mutate

$(MUTATE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,dev,audit,peers,mutate]'
	@touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	$(PY) -m mutation_testing.run $(MUTATE_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean-venv:
	rm -rf $(VENV)
