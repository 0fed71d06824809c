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


def test_an_uncited_sentence_drawn_from_two_sources_gets_a_marker_after_each_clause():
    from qa.citations import check_claims
    from qa.models import Passage

    praised = Passage("a:0", "a", "A", "Kim Jong Un has praised the strengthening relationship with Russia.", 0.9)
    visit = Passage("b:0", "b", "B", "Putin last visited Pyongyang in July 2000.", 0.8)

    def best_source(claim, passages):   # a passage holding nearly every word of the claim
        words = set(claim.lower().rstrip(".").split())
        return next((i for i, p in enumerate(passages)
                     if len(words & set(p.text.lower().rstrip(".").split())) >= 0.8 * len(words)), None)

    checked, warnings = check_claims(
        "Kim Jong Un has praised the strengthening relationship with Russia, and Putin last visited Pyongyang in "
        "July 2000.", [praised, visit], lambda c, p: False, best_source)
    assert checked == ("Kim Jong Un has praised the strengthening relationship with Russia [1], and Putin last "
                       "visited Pyongyang in July 2000 [2].") and not warnings
    # one clause that no source states: the whole sentence goes, as before
    checked, warnings = check_claims("Kim Jong Un has praised the strengthening relationship with Russia, and the "
                                     "moon is made of green cheese.", [praised, visit], lambda c, p: False,
                                     best_source)
    assert checked == "" and any("unsupported" in w for w in warnings)


def test_a_sentence_saying_which_outlet_reported_it_is_checked_for_what_it_says_and_for_the_outlet():
    from qa.citations import check_claims
    from qa.models import Passage

    standard = Passage("s:0", "s", "S", "Fines start at £1,000 for a first offence.", 0.9, outlet="Evening Standard")
    bbc = Passage("b:0", "b", "B", "New York state now has more cases than any single country.", 0.8, outlet="BBC News")

    def best_source(claim, passages):   # a passage holding nearly every word of the claim
        words = set(claim.lower().rstrip(".").split())
        return next((i for i, p in enumerate(passages)
                     if len(words & set(p.text.lower().rstrip(".").split())) >= 0.8 * len(words)), None)

    def supports(claim, passage):
        return claim.lower().rstrip(".") in passage.text.lower()

    said = "The BBC reported that New York state now has more cases than any single country."
    checked, warnings = check_claims(said, [standard, bbc], supports, best_source)
    assert checked == said.rstrip(".") + " [2]." and not warnings   # unmarked: the BBC's passage states it
    assert check_claims(said.rstrip(".") + " [2].", [standard, bbc], supports, best_source)[0].endswith("[2].")
    # the outlet named is not the passage's: the claim goes, though the words are there
    wrong = "The Evening Standard reported that New York state now has more cases than any single country [2]."
    checked, warnings = check_claims(wrong, [standard, bbc], supports, best_source)
    assert checked == "" and warnings
    # a person who said something is part of the claim, as before
    putin = Passage("p:0", "p", "P", "Putin said he would visit Pyongyang soon.", 0.7, outlet="CNN")
    assert check_claims("Putin said he would visit Pyongyang soon [1].", [putin], supports, best_source)[0] == \
        "Putin said he would visit Pyongyang soon [1]."


def test_two_passages_of_one_article_share_its_number():
    chunks = (Passage("w:0", "w", "Wired", "The effort used 2.8 gigawatt-hours. More.", 0.6),
              Passage("x:0", "x", "Other", "Other news.", 0.5),
              Passage("w:3", "w", "Wired", "Energy use has been rising. More.", 0.4))
    text, citations, _ = renumber_markers("It used 2.8 gigawatt-hours [1]. Use is rising [3][1]. Other [2].",
                                          chunks, first_sentence)
    assert text == "It used 2.8 gigawatt-hours [1]. Use is rising [1]. Other [2]."
    assert [(c.number, c.source) for c in citations] == [(1, "w"), (2, "x")]
    assert citations[0].quote == "The effort used 2.8 gigawatt-hours. … Energy use has been rising."
