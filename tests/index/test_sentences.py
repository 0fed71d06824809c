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
