from index.sentences import sentence_spans, split_keeping_whitespace, split_sentences


def test_abbreviations_do_not_end_sentences():
    text = "The U.S. and the U.N. Security Council agreed. Mr. Kim left! Then J. Smith spoke."
    assert split_sentences(text) == ["The U.S. and the U.N. Security Council agreed.", "Mr. Kim left!",
                                     "Then J. Smith spoke."]


def test_quotes_and_newlines():
    text = "“Of course,” he said. “We will.”\nNext paragraph here"
    assert split_sentences(text) == ["“Of course,” he said.", "“We will.”", "Next paragraph here"]


def test_spans_point_into_the_text_and_join_back():
    text = "  One sentence here.  Two follows. 3,000 people came.  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["One sentence here.", "Two follows.", "3,000 people came."]
    assert "".join(split_keeping_whitespace(text)) == text


def test_a_spaced_ellipsis_ends_a_snippet_fragment():
    text = ("Mar 3, 2019 ... Tipped to win, she lost the opening game, 3-2, ... had reached a final — "
            "at the 2018 Cup, ...")
    assert split_sentences(text) == ["Mar 3, 2019 ...", "Tipped to win, she lost the opening game, 3-2, ...",
                                     "had reached a final — at the 2018 Cup, ..."]
    assert split_sentences("He paused... then went on.") == ["He paused... then went on."]


def _word_before_as_searched_from_the_start(text: str, start: int, end: int) -> str:
    """The reading _word_before must equal: the pattern searched over the whole sentence so far."""
    from index.sentences import _WORD_BEFORE

    before = _WORD_BEFORE.search(text[start:end])
    return before.group(1).rstrip(".").lower() if before else ""


def test_the_word_before_a_full_stop_is_read_as_the_whole_sentence_would_give_it():
    from index.sentences import _word_before

    cases = ["a" * 200 + ".", "He met Gen. " + "A." * 40, "Stop?.", "Yahoo!.", 'He said "yes".', "Über.", "x_y.",
             "She lives in the U.S.", "Wait ...", "It cost approx.", "  .", "."]
    for text in cases:
        for start in range(len(text)):
            assert _word_before(text, start, len(text)) == _word_before_as_searched_from_the_start(
                text, start, len(text)), (text, start)
    assert split_sentences("a" * 200 + ". Next one.") == ["a" * 200 + ".", "Next one."]
    assert split_sentences("Stop?. Next one. It cost approx. 5 dollars.") == ["Stop?.", "Next one.",
                                                                              "It cost approx. 5 dollars."]
