from index.chunker import Chunker
from index.loader import load_articles, parse_article
from tests.conftest import SEEDS


def test_chunks_have_stable_ids_offsets_and_bounded_size():
    articles, _ = load_articles(SEEDS)
    chunker = Chunker(chunk_words=120, overlap_words=20)
    for article in articles:
        chunks = chunker.chunk(article)
        assert [c.chunk_id for c in chunks] == [f"{article.article_id}:{n}" for n in range(len(chunks))]
        assert chunker.chunk(article) == chunks  # deterministic
        for c in chunks:
            assert article.body[c.start:c.end] == c.text
            assert len(c.text.split()) <= 130
            assert c.title == article.title and c.article_id == article.article_id
        # together the chunks cover the whole body
        assert chunks[0].start == 0 and chunks[-1].end >= len(article.body.rstrip()) - 1


def test_neighbouring_chunks_overlap():
    body = " ".join(f"Sentence number {i} says something about topic {i}." for i in range(80))
    chunks = Chunker(chunk_words=60, overlap_words=20).chunk(parse_article("a", "Title\n" + body))
    assert len(chunks) > 3
    for left, right in zip(chunks, chunks[1:]):
        assert right.start < left.end  # overlap


def test_default_chunks_fit_minilm():
    articles, _ = load_articles(SEEDS)
    for article in articles:
        for c in Chunker().chunk(article):
            assert len(c.embed_text().split()) <= 200
