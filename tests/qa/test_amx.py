"""llama.cpp's AMX kernels: used only where a child process saw them run, checked once per llama.cpp build; the
repack and the 8-bit weights follow that verdict unless set; and, on an AMX CPU, the build `make setup` made runs
them (the GCC fix in the Makefile) with their weight blocks read once (qa/llm/amx_build.py)."""
import sys

import pytest

import qa.llm.amx as amx
from qa.llm import amx_build, factory
from qa.settings import Settings

SAPPHIRE = "processor\t: 0\nflags\t\t: fpu avx512f avx512_vnni amx_bf16 avx512_fp16 amx_tile amx_int8\n"
EPYC = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_vnni avx512_bf16\n"
CRASH = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
CLEAN = [sys.executable, "-c", "pass"]


def test_amx_cpus_are_recognised():
    assert amx.cpu_has_amx(SAPPHIRE) and not amx.cpu_has_amx(EPYC) and not amx.cpu_has_amx("")


def test_a_crashing_check_is_a_no_that_says_why_and_a_clean_one_a_yes():
    runs, detail = amx.run_check(CRASH)
    assert not runs and "crashed (signal 11)" in detail and "fault" in detail
    assert amx.run_check(CLEAN) == (True, "the AMX kernels ran a judgement")
    runs, detail = amx.run_check([sys.executable, "-c", "print('this llama.cpp build has no AMX kernels'); exit(3)"])
    assert not runs and detail == "this llama.cpp build has no AMX kernels"


def test_the_verdict_is_checked_once_per_build_and_never_without_amx(monkeypatch, tmp_path, capsys):
    calls = []
    build = {"cpu": "Xeon", "lib": "/x", "files": [["libggml-cpu.so", 1, 1]]}

    def check(command):
        calls.append(command)
        return (False, "the check crashed (signal 11): this llama.cpp build's AMX kernels fault")

    monkeypatch.setattr(amx, "cpu_has_amx", lambda cpuinfo=None: False)
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=check) is False and calls == []
    monkeypatch.setattr(amx, "cpu_has_amx", lambda cpuinfo=None: True)
    monkeypatch.setattr(amx, "build_key", lambda: build)
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=check) is False
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=check) is False and len(calls) == 1   # kept
    assert calls[0][-2:] == ["--check-amx", str(tmp_path / "m.gguf")]
    err = capsys.readouterr().err
    assert "checking once" in err and "AMX kernels are not used (the check crashed (signal 11)" in err
    build["files"] = [["libggml-cpu.so", 2, 2]]   # llama.cpp rebuilt: checked again
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=lambda command: (True, "ran")) is True
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=check) is True and len(calls) == 1
    other = {"cpu": "Xeon", "lib": "/venv2/lib", "files": []}   # another virtualenv's llama.cpp, same cache
    monkeypatch.setattr(amx, "build_key", lambda: other)
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=check) is False and len(calls) == 2
    monkeypatch.setattr(amx, "build_key", lambda: build)   # both verdicts are kept
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=check) is True and len(calls) == 2
    (tmp_path / amx.VERDICT_FILE).write_text("{not json")   # a damaged file is checked again
    assert amx.amx_runs(tmp_path, tmp_path / "m.gguf", check=check) is False and len(calls) == 3


@pytest.mark.parametrize("repack, weights, runs, timed_faster, expected", [
    ("auto", "auto", True, False, (True, True)),     # AMX kernels run: the repack on, the weights at 8 bits
    ("auto", "auto", False, False, (False, False)),  # elsewhere: as shipped, the repack off unless timed faster
    ("auto", "auto", False, True, (True, False)),    # timed faster here (qa prepare): on, the weights as shipped
    ("off", "auto", True, True, (False, False)),     # 8 bits without the AMX kernels is slower (77 tokens/s)
    ("on", "shipped", True, False, (True, False)),
    ("off", "q8_0", False, True, (False, True)),
])
def test_the_repack_and_the_weights_follow_the_verdicts_unless_set(monkeypatch, repack, weights, runs, timed_faster,
                                                                   expected):
    import qa.llm.repack as repack_timing

    monkeypatch.setattr(amx, "amx_runs", lambda models_dir, model=None, **kw: runs)
    monkeypatch.setattr(repack_timing, "repack_faster", lambda models_dir: timed_faster)
    settings = Settings(llm_extra_buffers=repack, llm_weights=weights)
    assert factory.llamacpp_setup(settings) == expected


@pytest.mark.slow
@pytest.mark.skipif(not amx.cpu_has_amx(), reason="this CPU has no AMX")
def test_on_an_amx_cpu_the_installed_llama_cpp_runs_its_amx_kernels():
    """What `make setup` built: a judgement through the AMX kernels, in a child process, exits cleanly."""
    from qa.llm.gguf import bundled_smollm2

    assert amx.run_check(amx.check_command(bundled_smollm2())) == (True, "the AMX kernels ran a judgement")
    import llama_cpp

    assert getattr(llama_cpp, "NEWSQA_BUILD", "") == amx_build.MARKER   # the weight blocks read once (below)
    assert amx_build.built()   # so make setup builds it no more


# the tile loop of llama.cpp's AMX matrix product (ggml-cpu/amx/mmq.cpp, llama-cpp-python 0.3.36), the float path's
# loop above it indented deeper
KERNEL = """\
            for (int i = begin; i < end; ++i) {
                    int mb = remaining / NB;
                    int nb = remaining % NB;
                    LAUNCH_TINYGEMM_KERNEL_AVX(1, 2);
            }
            for (int i = begin; i < end; ++i) {
                int batch_idx = i / (MB * NB);
                int remaining = i % (MB * NB);
                int mb = remaining / NB;
                int nb = remaining % NB;

                tinygemm_kernel_amx<vec_dot_type, type, float, blck_size>(
                    mb_size, nb_size, KB, wdata_batch + mb_start * row_size_A);
            }
"""


def test_the_amx_tile_loop_is_walked_weight_block_first_and_an_unknown_loop_left_alone():
    changed = amx_build.weights_first(KERNEL)
    assert changed.count("int nb = remaining / MB;") == 1 and changed.count("int mb = remaining % MB;") == 1
    assert "                    int mb = remaining / NB;" in changed   # the float path's loop stays
    assert changed.replace(amx_build.WEIGHTS_FIRST, amx_build.ROW_FIRST) == KERNEL   # nothing else moved
    with pytest.raises(ValueError, match="not the one this change knows"):
        amx_build.weights_first(changed)   # already changed, or another llama.cpp: left as it is
    with pytest.raises(ValueError):
        amx_build.weights_first(KERNEL.replace("tinygemm_kernel_amx", "tinygemm_kernel_other"))


def test_without_the_8_bit_copy_the_shipped_weights_run_and_the_reason_is_said(monkeypatch, capsys):
    """Writing 1.9 GB can fail (a full disk): the default then runs the shipped file, and says why in one line."""
    import qa.llm.gguf as gguf
    from qa.errors import ConfigError

    monkeypatch.setattr(amx, "amx_runs", lambda models_dir, model=None, **kw: True)
    monkeypatch.setattr(gguf, "qwen_8bit", lambda cache_dir: (_ for _ in ()).throw(
        ConfigError("llama.cpp could not write qwen.q8_0.gguf")))
    monkeypatch.setattr(gguf, "qwen_gguf", lambda cache_dir: cache_dir / gguf.QWEN_FILE)
    monkeypatch.setattr(factory, "_require", lambda module, extra: None)
    llm = factory.make_llm(Settings(llm="llamacpp", llm_model="qwen"))
    assert llm.path.name == gguf.QWEN_FILE and llm._args[-1] == "on"
    assert "could not write qwen.q8_0.gguf; running the shipped weights" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="could not write"):   # asked for by name: the error stands
        factory.make_llm(Settings(llm="llamacpp", llm_model="qwen", llm_weights="q8_0"))
