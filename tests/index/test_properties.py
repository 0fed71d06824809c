"""Property tests: random text and bytes never make the loader, chunker, sentence splitter or citation
parser raise anything but QAError, and the chunks of an article cover every sentence of its cleaned text."""
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunker import Chunker
from index.loader import load_articles, parse_article
from index.sentences import sentence_spans, split_sentences
from qa.citations import check_claims, renumber_markers
from qa.errors import QAError
from qa.models import Passage

WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
PROSE = st.lists(st.sampled_from(["The", "mayor", "said", "on", "Monday", "U.S.", "3.5", "bn", "Dr.", "“quoted”",
                                  "...", "—", "\n", "\n\n", ".", "!", "?", "# Head", "Share This Article"]),
                 max_size=300).map(" ".join)
CHUNKER = Chunker(40, 8)
PASSAGES = tuple(Passage(f"s{i}:0", f"s{i}", f"T{i}", f"Source {i} says something.", 0.5) for i in range(1, 4))


@settings(max_examples=150, deadline=None)
@given(st.one_of(WORDS, PROSE))
def test_parse_and_chunk_raise_only_qaerror_and_cover_every_sentence(raw):
    try:
        article = parse_article("x", raw)
    except QAError:
        return
    chunks = CHUNKER.chunk(article)
    assert chunks or not article.body.strip()
    covered = "".join(c.text for c in chunks)
    for start, end in sentence_spans(article.body):
        sentence = article.body[start:end]
        assert any(sentence in c.text for c in chunks) or all(w in covered for w in sentence.split()), sentence


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_loader_skips_any_bytes_with_a_reason(tmp_path_factory, data):
    folder = Path(tmp_path_factory.mktemp("bytes"))
    (folder / "f.txt").write_bytes(data)
    articles, skipped = load_articles(folder)
    assert len(articles) + len(skipped) == 1
    assert all(s.reason for s in skipped)


@settings(max_examples=200, deadline=None)
@given(st.one_of(WORDS, PROSE))
def test_sentence_splitter_is_total_and_ordered(text):
    spans = sentence_spans(text)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))
    assert split_sentences(text) == [text[a:b] for a, b in spans]


@settings(max_examples=200, deadline=None)
@given(st.one_of(WORDS, st.lists(st.sampled_from(["Claim", "[1]", "[2]", "[9]", "[1, 3]", "[0]", "[", "]", ".",
                                                   "[12345678901234567890]", " "]), max_size=40).map("".join)))
def test_citation_parser_never_raises_and_cites_only_real_sources(text):
    out, citations, _ = renumber_markers(text, PASSAGES, lambda claim, passage: passage.text)
    assert [c.number for c in citations] == list(range(1, len(citations) + 1))
    assert {c.source for c in citations} <= {p.source for p in PASSAGES}
    checked, _ = check_claims(text, PASSAGES, lambda claim, passage: "Claim" in claim, lambda claim, ps: None)
    assert isinstance(checked, str)


@settings(max_examples=300, deadline=None)
@given(st.one_of(WORDS, PROSE))
def test_the_word_before_a_full_stop_reads_as_searched_from_the_sentence_start(raw):
    from index.sentences import _WORD_BEFORE, _word_before

    for end in (i + 1 for i, c in enumerate(raw) if c == "."):
        for start in {0, max(0, end - 70), end - 1}:
            whole = _WORD_BEFORE.search(raw[start:end])
            assert _word_before(raw, start, end) == (whole.group(1).rstrip(".").lower() if whole else "")


@settings(max_examples=300, deadline=None)
@given(st.one_of(WORDS, PROSE))
def test_sentence_boundaries_are_those_of_the_pattern_without_its_leading_lookahead(raw):
    import re

    from index.sentences import _BOUNDARY

    plain = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])|(?<=\s)(?:\.{3}|…)\s+|\n+")
    assert [m.span() for m in _BOUNDARY.finditer(raw)] == [m.span() for m in plain.finditer(raw)]
