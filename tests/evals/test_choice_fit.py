"""evals.choice_fit's offline scoring: the AUCs of the judgement and the outcome of a fit (no model)."""
from evals.choice_fit import outcome, separation
from evals.metrics import auc


def row(answerable, *candidates):
    return {"answerable": answerable, "candidates": [{"judge": j, "margin": 0.0, "right": r} for j, r in candidates]}


def test_the_judgement_is_scored_by_candidates_and_by_questions():
    rows = [row(True, (0.9, True), (-0.5, False)), row(True, (0.2, True), (0.4, False)),
            row(False, (0.3, False)), row(False, (-0.8, False))]
    candidates_auc, questions_auc = separation(rows)
    assert candidates_auc == 0.75   # 0.2 is below the wrong 0.4 and above -0.5; 0.9 above both
    assert questions_auc == 1.0     # answerable best 0.9 and 0.4, above the unanswerable 0.3 and -0.8
    assert auc([], [1.0]) is None and auc([0.5], [0.5]) == 0.5
    assert outcome(rows[1], 0.0, 0.3) == (False, False)   # only the wrong 0.4 passes
    assert outcome(rows[2], 0.0, 0.5) == (True, True)     # refused, and rightly
