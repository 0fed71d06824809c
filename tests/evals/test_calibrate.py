from evals.calibrate import fit_threshold


def test_threshold_refuses_most_unanswerable_within_the_false_refusal_budget():
    rows = [(0.1, False, "u1"), (0.2, False, "u2"), (0.3, True, "a1"), (0.35, False, "u3"),
            (0.6, True, "a2"), (0.7, True, "a3"), (0.8, True, "a4")]
    t, recall, false_rate = fit_threshold(rows, max_false_refusals=0.0)
    assert 0.2 < t <= 0.3 and recall == 2 / 3 and false_rate == 0.0
    t, recall, false_rate = fit_threshold(rows, max_false_refusals=0.25)
    assert 0.35 < t <= 0.6 and recall == 1.0 and false_rate == 0.25


def test_of_equal_recall_the_threshold_with_fewer_false_refusals_and_the_widest_margin_wins():
    rows = [(0.1, False, "u1"), (0.2, False, "u2"), (0.4, True, "a1"), (0.5, True, "a2"), (0.9, True, "a3")]
    # 0.2 < t <= 0.4 refuses both unanswerable ones and nothing else; 0.4 < t <= 0.5 adds a false refusal
    t, recall, false_rate = fit_threshold(rows, max_false_refusals=0.34)
    assert 0.2 < t <= 0.4 and recall == 1.0 and false_rate == 0.0
