"""llama-cpp-python built for an AMX CPU with one change to llama.cpp's AMX matrix product: its weight blocks are
read once per product, not once per 32 rows of the batch (`make setup` runs this on AMX CPUs only).

The AMX kernel walks its output tiles row block first: for every 32 tokens of a batch it streams every block of
the weights from memory again, and on 2 cores that memory traffic is most of a pass (a pass over 8 tokens costs
what one over 32 does). Walked weight block first, each block of weights is read once and meets every row block
while it is in cache. Each tile is computed exactly as before, so the judgements are the same to the bit (64 of 64
candidates); on an Intel Xeon with AMX (2 cores) the worker's calls on 30 realnews questions took 13% less time
(README, "Flash attention and replies that copy their prompt"). A llama.cpp whose loop reads otherwise is left as
it is, said in one line.

Run: python -m qa.llm.amx_build (the build flags come from the environment, as the Makefile sets them; nothing is
done when the installed build is one made here)
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

MARKER = "amx-weights-once"   # llama_cpp.NEWSQA_BUILD of a build made here
MARKED = f'NEWSQA_BUILD = "{MARKER}"'   # the line that marks it, at the end of llama_cpp/__init__.py
KERNEL = "vendor/llama.cpp/ggml/src/ggml-cpu/amx/mmq.cpp"
ROW_FIRST = ("                int mb = remaining / NB;\n"
             "                int nb = remaining % NB;\n")
WEIGHTS_FIRST = ("                int nb = remaining / MB;   // newsqa: weight blocks read once\n"
                 "                int mb = remaining % MB;\n")
AMX_CALL = "tinygemm_kernel_amx<vec_dot_type, type, float, blck_size>("


def weights_first(source: str) -> str:
    """The AMX kernel's source with its tile loop walked weight block first.

    Raises:
        ValueError: the loop before the AMX kernel's call is not the one this change knows.
    """
    call = source.find(AMX_CALL)
    loop = source.rfind(ROW_FIRST, 0, call)
    if call < 0 or loop < 0 or source.count(AMX_CALL) != 1:
        raise ValueError("llama.cpp's AMX tile loop is not the one this change knows")
    return source[:loop] + WEIGHTS_FIRST + source[loop + len(ROW_FIRST):]


def built() -> bool:
    """Whether the installed llama-cpp-python is a build made here (its package is read, not imported)."""
    spec = importlib.util.find_spec("llama_cpp")
    try:
        return spec is not None and spec.origin is not None and MARKED in Path(spec.origin).read_text()
    except OSError:
        return False


def build(version: str, work: Path) -> str:
    """Download llama-cpp-python's sdist (PyPI), change the kernel, mark the package, install it; what was done."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    "--dest", str(work), f"llama-cpp-python=={version}"], check=True)
    archive = next(work.glob("llama_cpp_python-*.tar.gz"))
    with tarfile.open(archive) as sdist:
        sdist.extractall(work, filter="data")
    tree = next(p for p in work.iterdir() if p.is_dir())
    kernel = tree / KERNEL
    try:
        kernel.write_text(weights_first(kernel.read_text()))
    except ValueError as err:
        return f"{err}: the installed build stays"
    with (tree / "llama_cpp" / "__init__.py").open("a") as package:
        package.write(f"\n{MARKED}\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
                    "--no-cache-dir", str(tree)], check=True)
    return f"llama-cpp-python {version} built with the AMX kernels' weight blocks read once"


def main() -> int:
    if built():
        return 0
    print("setup: building llama-cpp-python with its AMX kernels (a few minutes)", flush=True)
    version = importlib.metadata.version("llama-cpp-python")
    with tempfile.TemporaryDirectory(prefix="newsqa-llama-") as work:
        try:
            print(f"setup: {build(version, Path(work))}")
        except (subprocess.CalledProcessError, OSError, StopIteration) as err:
            print(f"setup: could not build llama-cpp-python {version} with the AMX change ({err}): the installed "
                  "build stays", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
