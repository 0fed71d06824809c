"""qa.fusion restates llama-index's QueryFusionRetriever for the lean ask path: same inputs, same output."""
import random

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.schema import NodeWithScore, TextNode

from qa.fusion import fuse

MODES = ["dist_based_score", "relative_score", "reciprocal_rerank"]


def node(i: str) -> TextNode:
    return TextNode(id_=i, text=f"text {i}", metadata={"source": i})


class Scripted(BaseRetriever):
    def __init__(self, scored):
        super().__init__()
        self.scored = scored

    def _retrieve(self, query_bundle):
        return [NodeWithScore(node=node(i), score=s) for i, s in self.scored]


def llama_index_fusion(results, weights, mode, k):
    fusion = QueryFusionRetriever([Scripted(r) for r in results], llm=MockLLM(), mode=mode, similarity_top_k=k,
                                  num_queries=1, use_async=False, retriever_weights=list(weights))
    return [(n.node.node_id, n.score) for n in fusion.retrieve("q")]


@pytest.mark.parametrize("mode", MODES)
def test_fusion_equals_llama_index_on_random_rankings(mode):
    rng = random.Random(7)
    for _ in range(200):
        ids = [f"c{i}" for i in range(rng.randint(1, 12))]
        dense = [(i, rng.uniform(0.2, 1.0)) for i in rng.sample(ids, rng.randint(0, len(ids)))]
        bm25 = [(i, rng.choice([0.0, rng.uniform(0, 20)])) for i in rng.sample(ids, rng.randint(0, len(ids)))]
        dense.sort(key=lambda r: -r[1])
        bm25.sort(key=lambda r: -r[1])
        weight = rng.choice([0.0, 0.3, 0.5, 0.9])
        k = rng.randint(1, 15)
        ours = fuse([dense, bm25], [weight, 1 - weight], mode)[:k]
        theirs = llama_index_fusion([dense, bm25], [weight, 1 - weight], mode, k)
        assert [i for i, _ in ours] == [i for i, _ in theirs]
        assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], abs=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_fusion_rewards_agreement_between_retrievers(mode):
    fused = fuse([[("a", 0.9), ("b", 0.8), ("c", 0.1)], [("b", 12.0), ("c", 5.0), ("a", 1.0)]], [0.5, 0.5], mode)
    assert [i for i, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] > fused[1][1] > fused[2][1]


def test_weights_shift_the_ranking():
    dense, bm25 = [("a", 0.9), ("b", 0.2)], [("b", 9.0), ("a", 1.0)]
    assert fuse([dense, bm25], [0.9, 0.1], "dist_based_score")[0][0] == "a"
    assert fuse([dense, bm25], [0.1, 0.9], "dist_based_score")[0][0] == "b"


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError):
        fuse([[("a", 1.0)]], [1.0], "simple-ish")
