from qa.citations import renumber_markers
from qa.models import Passage

PASSAGES = tuple(Passage(f"s{i}:0", f"s{i}", f"Title {i}", f"Sentence of source {i}. Another one.", 0.5)
                 for i in range(1, 4))


def first_sentence(claim: str, passage: Passage) -> str:
    return passage.text.split(". ")[0] + "."


def test_markers_are_renumbered_by_first_use():
    text, citations, warnings = renumber_markers("Alpha happened [3]. Beta too [1]. Alpha again [3].", PASSAGES,
                                                 first_sentence)
    assert text == "Alpha happened [1]. Beta too [2]. Alpha again [1]."
    assert [(c.number, c.source) for c in citations] == [(1, "s3"), (2, "s1")]
    assert citations[0].quote == "Sentence of source 3."
    assert warnings == ()


def test_unknown_markers_are_dropped_with_a_warning():
    text, citations, warnings = renumber_markers("Claim [2]. Invented [7]. Both [1, 9].", PASSAGES, first_sentence)
    assert text == "Claim [1]. Invented. Both [2]."
    assert [c.source for c in citations] == ["s2", "s1"]
    assert warnings == ("dropped citation [7]: there is no source 7", "dropped citation [9]: there is no source 9")


def test_text_without_markers_has_no_citations():
    text, citations, warnings = renumber_markers("No sources here.", PASSAGES, first_sentence)
    assert (text, citations, warnings) == ("No sources here.", (), ())


def test_quote_comes_from_the_claim_that_cites():
    seen = []

    def record(claim, passage):
        seen.append((claim, passage.source))
        return "q"

    renumber_markers("The first claim [2]. A second claim [2].", PASSAGES, record)
    assert seen == [("The first claim.", "s2")]
