"""The Python API: qa.ask with its exact contract, cached and thread-safe."""
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

import qa
from qa.errors import IndexMissingError, InputError
from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir(seeded_dir, tmp_path, monkeypatch):
    target = tmp_path / "index"
    shutil.copytree(seeded_dir, target)
    monkeypatch.setenv("QA_DATA_DIR", str(target))
    return target


def test_ask_returns_the_typed_answer(data_dir):
    answer = qa.ask(ARMS_QUESTION)
    assert isinstance(answer, qa.Answer) and not answer.refused and answer.model == "extractive"
    assert answer.question == ARMS_QUESTION
    assert isinstance(answer.citations[0], qa.Citation) and answer.citations[0].source == CHOE_ARTICLE
    assert isinstance(answer.passages[0], qa.Passage)
    assert qa.ask("How many people live in Vladivostok?").refused


def test_pipeline_is_cached_and_top_k_applies(data_dir):
    first = qa.get_pipeline()
    assert qa.get_pipeline() is first
    assert len(qa.ask(ARMS_QUESTION, top_k=2).passages) == 2


def test_ask_is_safe_from_threads(data_dir):
    questions = [ARMS_QUESTION, "When did Putin last visit Pyongyang?"] * 4
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(qa.ask, questions))
    assert all(a.citations[0].source == CHOE_ARTICLE for a in answers)
    assert all(a.text == answers[0].text for a in answers[::2])


def test_search_gives_the_passages_ask_reads_with_their_best_sentences(data_dir):
    found = qa.search("When did Putin last visit Pyongyang?", top_k=3)
    assert [m.rank for m in found] == [1, 2, 3] and all(isinstance(m, qa.Match) for m in found)
    assert [m.passage for m in found] == list(qa.ask("When did Putin last visit Pyongyang?", top_k=3).passages)
    assert any(m.passage.source == CHOE_ARTICLE and "July 2000" in m.sentence for m in found)
    assert qa.search("Putin", since="2030-01-01") == ()   # the seeds are undated: none in that range
    with pytest.raises(InputError):
        qa.search(" ")


def test_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(IndexMissingError):
        qa.ask("Anything?", collection="nothing-here")


def test_empty_question(data_dir):
    with pytest.raises(InputError):
        qa.ask("  ")


def test_sixteen_threads_get_the_answers_one_thread_gets(data_dir):
    questions = [ARMS_QUESTION, "When did Putin last visit Pyongyang?", "How many people live in Vladivostok?",
                 "Who is the father of Kim Jong Un?"] * 8
    alone = {q: qa.ask(q) for q in set(questions)}
    with ThreadPoolExecutor(16) as pool:
        together = list(pool.map(qa.ask, questions))
    for question, answer in zip(questions, together):
        assert (answer.text, answer.refused, answer.citations) == (alone[question].text, alone[question].refused,
                                                                   alone[question].citations)
