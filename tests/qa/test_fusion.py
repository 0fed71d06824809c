"""Our Retriever over scripted llama-index retrievers: score fusion and weights."""
import pytest
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, TextNode

from qa.retriever import Retriever


def node(i: str) -> TextNode:
    return TextNode(id_=f"{i}:0", text=f"text {i}", metadata={"source": i, "title": f"T{i}"})


class Scripted(BaseRetriever):
    def __init__(self, scored):
        super().__init__()
        self.scored = scored

    def _retrieve(self, query_bundle):
        return [NodeWithScore(node=node(i), score=s) for i, s in self.scored]


@pytest.mark.parametrize("fusion", ["dist_based_score", "relative_score", "reciprocal_rerank"])
def test_fusion_rewards_agreement_between_retrievers(fusion):
    dense = Scripted([("a", 0.9), ("b", 0.8), ("c", 0.1)])
    bm25 = Scripted([("b", 12.0), ("c", 5.0), ("a", 1.0)])
    passages = Retriever([dense, bm25], [0.5, 0.5], [], candidates=3, fusion=fusion).retrieve("q", 3)
    assert [p.source for p in passages] == ["b", "a", "c"]
    assert passages[0].score > passages[1].score > passages[2].score
    assert passages[0].chunk_id == "b:0" and passages[0].title == "Tb"


def test_weights_shift_the_ranking():
    dense = Scripted([("a", 0.9), ("b", 0.2)])
    bm25 = Scripted([("b", 9.0), ("a", 1.0)])
    assert Retriever([dense, bm25], [0.9, 0.1], [], 2).retrieve("q", 2)[0].source == "a"
    assert Retriever([dense, bm25], [0.1, 0.9], [], 2).retrieve("q", 2)[0].source == "b"


def test_top_k_cuts_the_list():
    dense = Scripted([("a", 0.9), ("b", 0.5), ("c", 0.1)])
    assert len(Retriever([dense], [1.0], [], 3).retrieve("q", 2)) == 2
