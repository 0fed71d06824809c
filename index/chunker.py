"""Article -> sentence-aware, overlapping chunks with stable ids "{article_id}:{n}"."""
from __future__ import annotations

from dataclasses import dataclass

from index.loader import Article


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of an article's body, with its character offsets in that body."""

    chunk_id: str
    article_id: str
    title: str
    text: str
    start: int
    end: int
    content_hash: str

    def embed_text(self) -> str:
        """What the embedding model reads: the headline gives every chunk its topic."""
        return f"{self.title}\n{self.text}"


class Chunker:
    """Splits article bodies with llama-index's SentenceSplitter, counting words.

    MiniLM reads at most 256 wordpieces, so chunks stay near chunk_words words.
    """

    def __init__(self, chunk_words: int = 170, overlap_words: int = 30) -> None:
        from llama_index.core.node_parser import SentenceSplitter

        from index.sentences import split_keeping_whitespace

        if not 0 <= overlap_words < chunk_words:
            raise ValueError("overlap_words must be >= 0 and smaller than chunk_words")
        self._splitter = SentenceSplitter(
            chunk_size=chunk_words, chunk_overlap=overlap_words, tokenizer=str.split,
            paragraph_separator="\n", chunking_tokenizer_fn=split_keeping_whitespace,
        )

    def chunk(self, article: Article) -> list[Chunk]:
        """Split one article.

        Args:
            article: a cleaned article.

        Returns:
            Chunks in reading order; ids are "{article_id}:{n}" from 0.
        """
        chunks: list[Chunk] = []
        cursor = 0
        for n, text in enumerate(self._splitter.split_text(article.body)):
            start = _locate(article.body, text, cursor)
            end = start + len(text)
            cursor = start + 1
            chunks.append(Chunk(f"{article.article_id}:{n}", article.article_id, article.title,
                                article.body[start:end], start, end, article.content_hash))
        return chunks


def _locate(body: str, text: str, cursor: int) -> int:
    """Offset of a split in the body; the splitter may normalise whitespace, so fall back to its head."""
    found = body.find(text, cursor)
    if found < 0:
        found = body.find(text[:40], cursor)
    return max(found, 0)
