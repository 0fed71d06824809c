"""The recheck probe applies each cut to the same answers: a doubted answer whose second yes/no falls short is
refused; a confident one, or one whose second yes/no passes, stands."""
from evals.recheck_probe import outcome

ROWS = [
    {"answerable": True, "refused": False, "right": True, "judge": 0.5, "again": -0.9},     # confident: stands
    {"answerable": True, "refused": False, "right": True, "judge": -0.6, "again": -0.5},    # doubted, falls short
    {"answerable": True, "refused": True, "right": False, "judge": -0.9, "again": None},    # refused already
    {"answerable": False, "refused": False, "right": False, "judge": -0.7, "again": -0.8},  # doubted, falls short
    {"answerable": False, "refused": False, "right": False, "judge": -0.5, "again": 0.2},   # doubted, passes
]


def test_each_cut_refuses_only_doubted_answers_whose_second_judgement_falls_short():
    assert outcome(ROWS, -9.0, 0.0) == {"refused": 0.0, "false": 0.333, "accuracy": 0.667, "lost": 0}
    assert outcome(ROWS, -0.4, -0.3) == {"refused": 0.5, "false": 0.667, "accuracy": 0.333, "lost": 1}
    # asked always (below 1): the confident answer's second judgement counts too; the doubted one at -0.5 passes
    assert outcome(ROWS, 1.0, -0.55) == {"refused": 0.5, "false": 0.667, "accuracy": 0.333, "lost": 1}
