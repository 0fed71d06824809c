import numpy as np


def test_a_span_pools_the_tokens_inside_it_and_the_text_pools_them_all():
    from index.pooling import span_vectors, text_vector

    # [CLS] "Ships" "sail" "." [SEP] over the text "Ships sail."
    states = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, 2.0], [2.0, 2.0, 0], [1.0, 1.0, 1.0]], dtype=np.float32)
    offsets = [(0, 0), (0, 5), (6, 10), (10, 11), (0, 0)]
    pooled = span_vectors(states, offsets, [(0, 5), (6, 11), (0, 11)])
    assert np.allclose(pooled[0], [0, 1, 0])
    assert np.allclose(pooled[1], np.array([2, 2, 2]) / np.linalg.norm([2, 2, 2]))   # "sail" and "."
    assert np.allclose(pooled[2], np.array([2, 4, 2]) / np.linalg.norm([2, 4, 2]))   # special tokens left out
    assert np.allclose(text_vector(states), np.array([4, 5, 3]) / np.linalg.norm([4, 5, 3]))  # all of them


def test_a_span_with_no_token_inside_is_nan_and_no_span_is_an_empty_array():
    from index.pooling import span_vectors

    states = np.ones((3, 4), dtype=np.float32)
    offsets = [(0, 0), (0, 5), (0, 0)]   # the text was cut after its first word
    pooled = span_vectors(states, offsets, [(0, 5), (6, 40)])
    assert not np.isnan(pooled[0]).any() and np.isnan(pooled[1]).all()
    assert span_vectors(states, offsets, []).shape == (0, 4)
