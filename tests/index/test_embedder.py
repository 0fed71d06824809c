import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_a_question_is_embedded_once_and_shared_with_llama_index(embedder):
    question = "Who invited Putin to visit North Korea?"
    first = embedder.embed_query(question)
    assert np.allclose(first, embedder.embed([question])[0], atol=1e-6)
    assert embedder.embed_query(question) is first and not first.flags.writeable
    assert embedder.as_llama_index().get_query_embedding(question) == pytest.approx(first.tolist(), abs=1e-6)
