"""The query-likelihood probe's fusion (the model-free part of evals.likelihood_probe)."""
from evals.choice_fit import separation
from evals.likelihood_probe import fused


def _rows():
    return [{"question": "q1", "answerable": True, "prior": -5.0, "candidates": [
                {"judge": 0.4, "margin": 0.1, "right": True, "likely": -4.0},
                {"judge": -0.2, "margin": 0.0, "right": False, "likely": -2.0}]},
            {"question": "q2", "answerable": False, "prior": -3.0, "candidates": [
                {"judge": -0.5, "margin": 0.0, "right": False, "likely": -2.5}]}]


def test_fusion_replaces_the_judgement_and_leaves_the_dump_as_it_was():
    rows = _rows()
    alone = fused(rows, 0, 1, False)
    assert [c["judge"] for c in alone[0]["candidates"]] == [-4.0, -2.0]
    pmi = fused(rows, 1, 0.5, True)   # 0.4 + 0.5 x (-4 + 5), -0.2 + 0.5 x (-2 + 5), -0.5 + 0.5 x (-2.5 + 3)
    assert [c["judge"] for r in pmi for c in r["candidates"]] == [0.9, 1.3, -0.25]
    assert rows == _rows()
    # the likelihood alone ranks the wrong candidate first (its best still beats the unanswerable question's)
    assert separation(rows) == (1.0, 1.0) and separation(alone) == (0.0, 1.0)
