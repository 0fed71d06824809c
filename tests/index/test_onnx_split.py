import numpy as np


def _feed_forward(gelu: str):
    """A one-layer graph x -> MatMul -> (Bias)Gelu -> MatMul -> y, 4 channels wide."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weights = [numpy_helper.from_array(rng.standard_normal((3, 4)).astype(np.float32), "up_w"),
               numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "bias"),
               numpy_helper.from_array(rng.standard_normal((4, 2)).astype(np.float32), "down_w")]
    if gelu != "BiasGelu":
        weights.pop(1)
    nodes = [helper.make_node("MatMul", ["x", "up_w"], ["up"], name="up"),
             helper.make_node(gelu, ["up", "bias"] if gelu == "BiasGelu" else ["up"], ["g"], name="gelu",
                              domain="com.microsoft"),
             helper.make_node("MatMul", ["g", "down_w"], ["y"], name="down")]
    graph = helper.make_graph(nodes, "ffn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], weights)
    return helper.make_model(graph)


def test_a_bias_gelu_feed_forward_is_split_into_the_wide_and_the_rest():
    from index.onnx_split import split_feed_forwards

    model = _feed_forward("BiasGelu")
    assert split_feed_forwards(model, {"down": [1, 3]}) == ["down/wide/down"]
    weights = {init.name: list(init.dims) for init in model.graph.initializer}
    assert weights == {"down/wide/up_w": [3, 2], "down/wide/bias": [2], "down/wide/down_w": [2, 2],
                       "down/rest/up_w": [3, 2], "down/rest/bias": [2], "down/rest/down_w": [2, 2]}
    assert [n.name for n in model.graph.node][-1] == "down/add" and model.graph.node[-1].output[0] == "y"


def test_a_feed_forward_of_another_pattern_is_left_whole_in_fp32():
    from index.onnx_split import split_feed_forwards

    model = _feed_forward("Gelu")   # another model's graph: the GELU's bias not fused
    before = model.SerializeToString()
    assert split_feed_forwards(model, {"down": [1, 3]}) == ["down"]
    assert model.SerializeToString() == before
