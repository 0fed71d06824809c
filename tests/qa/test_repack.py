"""llama.cpp's weight repacking on CPUs without AMX kernels: timed once per build by `qa prepare` in two child
processes, kept, and then read by every question; on only when it was timed faster."""
import json
import sys

import pytest

import qa.llm.repack as repack
from qa.llm import verdicts

BUILD = {"cpu": "AMD EPYC", "lib": "/venv/lib", "files": [["libggml-cpu.so", 1, 1]]}


def fake_timer(on: float | None, off: float | None, calls: list):
    def timer(command):
        calls.append(command)
        return on if command[-1] == "on" else off
    return timer


@pytest.fixture
def build(monkeypatch):
    key = dict(BUILD)
    monkeypatch.setattr(repack, "build_key", lambda: key)
    return key


def test_the_repack_is_on_only_when_timed_faster_and_it_is_timed_once_per_build(build, tmp_path, capsys):
    calls = []
    assert repack.repack_faster(tmp_path) is False   # never timed: off, as before
    faster, detail = repack.time_repack(tmp_path, tmp_path / "m.gguf", timer=fake_timer(5.04, 5.67, calls))
    assert faster and detail == "a judgement of seven candidates took 5.04 s with the repack, 5.67 s without"
    assert [c[-3:] for c in calls] == [["--time-repack", str(tmp_path / "m.gguf"), "on"],
                                       ["--time-repack", str(tmp_path / "m.gguf"), "off"]]
    assert "timing once" in capsys.readouterr().err
    assert repack.time_repack(tmp_path, tmp_path / "m.gguf", timer=fake_timer(9.0, 1.0, calls)) == (True, detail)
    assert len(calls) == 2 and repack.repack_faster(tmp_path) is True   # kept: not timed again
    build["files"] = [["libggml-cpu.so", 2, 2]]   # llama.cpp rebuilt: timed again, and slower with the repack
    assert repack.repack_faster(tmp_path) is False
    assert repack.time_repack(tmp_path, tmp_path / "m.gguf", timer=fake_timer(6.0, 4.0, calls))[0] is False
    assert len(calls) == 4 and repack.repack_faster(tmp_path) is False


@pytest.mark.parametrize("on, off, faster", [
    (5.0, 5.1, False),     # within 5%: not worth a change, the repack stays off
    (4.75, 5.0, True),     # 5% faster: on
    (None, 5.0, False),    # a timing that failed: off
    (5.0, None, False),
])
def test_a_small_or_failed_timing_keeps_the_repack_off(build, tmp_path, on, off, faster):
    got, detail = repack.time_repack(tmp_path, tmp_path / "m.gguf", announce=False, timer=fake_timer(on, off, []))
    assert got is faster and repack.repack_faster(tmp_path) is faster
    assert ("failed" in detail) is (on is None or off is None)


def test_a_damaged_verdict_file_is_timed_again(build, tmp_path):
    (tmp_path / repack.VERDICT_FILE).write_text("{not json")
    calls = []
    assert repack.time_repack(tmp_path, tmp_path / "m.gguf", announce=False, timer=fake_timer(1.0, 2.0, calls))[0]
    assert len(calls) == 2 and json.loads((tmp_path / repack.VERDICT_FILE).read_text())["verdicts"][0]["faster"]


def test_verdicts_of_other_installs_are_kept_beside_and_a_build_replaces_its_own(tmp_path):
    path = tmp_path / "v.json"
    other = {**BUILD, "lib": "/venv2/lib"}
    verdicts.keep(path, BUILD, faster=True)
    verdicts.keep(path, other, faster=False)
    verdicts.keep(path, {**BUILD, "files": []}, faster=False)   # the first install rebuilt
    assert verdicts.kept(path, BUILD) is None and verdicts.kept(path, other)["faster"] is False
    assert len(json.loads(path.read_text())["verdicts"]) == 2


def test_the_timer_reads_the_childs_seconds_and_a_failing_child_is_none():
    assert repack.run_timer([sys.executable, "-c", "print('noise'); print('{\"seconds\": 1.5}')"]) == 1.5
    assert repack.run_timer([sys.executable, "-c", "raise SystemExit(2)"]) is None
    assert repack.run_timer([sys.executable, "-c", "print('not json')"]) is None


@pytest.mark.slow
def test_the_real_child_times_a_judgement_with_the_repack_on_and_off():
    """The worker's timing child, with the real llama.cpp and the tiny SmolLM2: seconds either way."""
    from qa.llm.gguf import bundled_smollm2

    model = bundled_smollm2()
    for setting in ("on", "off"):
        seconds = repack.run_timer(repack.command(model, setting))
        assert seconds is not None and 0 < seconds < repack.TIMEOUT_S
