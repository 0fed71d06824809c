# One command sets everything up, one runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python

# llama.cpp is compiled for this CPU with its AMX kernels, and GCC's dead-store elimination off: GCC 12 drops the
# stores that fill the AMX tile configuration before `ldtilecfg` (it does not see the instruction read them), so
# the first AMX matrix product loads stack garbage and faults. That was the "AMX weight repack segfault" on
# Sapphire Rapids-class Xeons (ggml-org/llama.cpp#20824). Built this way the AMX kernels run, and qa checks once
# per build that they do before it uses them (qa/llm/amx.py).
FIX_AMX := -fno-tree-dse -fno-dse
LLAMA_BUILD := CMAKE_ARGS="-DGGML_NATIVE=ON" CFLAGS="$(FIX_AMX)" CXXFLAGS="$(FIX_AMX)"
HAS_AMX := grep -qw amx_int8 /proc/cpuinfo 2>/dev/null

.PHONY: setup test test-fast lint

setup:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(LLAMA_BUILD) $(PY) -m pip install --quiet -e ".[all,dev]"
	@# AMX CPUs only: llama.cpp rebuilt from its sdist with its AMX kernels, their weight blocks read once per
	@# matrix product (qa/llm/amx_build.py: 13% off the model's time, the same judgements to the bit)
	@! $(HAS_AMX) || $(LLAMA_BUILD) $(PY) -m qa.llm.amx_build
	@# the int8 ONNX export, the joined Qwen GGUF (and on AMX CPUs its 8-bit copy), once per user (QA_CACHE_DIR)
	$(VENV)/bin/qa prepare
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "warning: install Debian's chromium for the browser tests (sudo apt-get install chromium)"

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/pytest

test-fast: lint
	$(VENV)/bin/pytest -m "not slow"
