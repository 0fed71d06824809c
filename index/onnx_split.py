"""The feed-forward down-projections in int8, their few widest input channels apart in fp32.

A down-projection reads a GELU's output, and ONNX Runtime quantises a MatMul's input with one scale for the whole
tensor, so a few channels whose values run far wider than the rest coarsen every other channel's steps: with all
six in int8 the vectors fall to cosine 0.994 of the fp32 model's. Keeping the six in fp32 cost 37% of the
model's time on a CPU with int8 dot products (AVX-512 VNNI: an fp32 product ran ~5x slower than the int8 one of
the same size). Here each layer's feed-forward is split by channel, with no copy of the activations: the
up-projection, its GELU and the down-projection's rows for the widest channels (found by running the fp32 graph
over a few built-in paragraphs) form a small fp32 branch, the rest an int8 one, and the two are added. In
LLM.int8() the same decomposition is done per token at run time; here the channels are chosen once at export.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

WIDE_CHANNELS = 16   # per layer, kept in fp32 (4 to 192 measured alike: cosine 0.9966-0.9968 of the fp32 model)

# Calibration text (written for this purpose, of no dataset): news, encyclopedia and conversational prose.
CALIBRATION = (
    "The city council approved a new budget on Tuesday after months of debate over funding for schools, roads "
    "and the police. The mayor said the plan would raise property taxes by 2.5% next year, while opponents warned "
    "that small businesses in the harbour district could not afford another increase.",
    "Heavy rain flooded parts of the northern region overnight, forcing about 1,200 residents from their homes. "
    "Emergency crews rescued dozens of people from cars stranded on the highway, and officials said two bridges "
    "would stay closed until engineers had inspected them.",
    "The river rises in the mountains of the interior and flows some 800 kilometres to the sea. Its valley was "
    "settled in the Bronze Age, and by the twelfth century the towns along its banks traded wool, timber and salt "
    "with merchants from across the continent.",
    "Shares in the carmaker fell 7 percent on Thursday after it cut its sales forecast, blaming weaker demand in "
    "Europe and China. Analysts at two banks lowered their price targets, and the company's chief executive told "
    "investors that a cheaper electric model would arrive in 2026.",
    "\"We are not giving up,\" the coach told reporters after the defeat. \"The players worked hard all season, and "
    "I believe we can still reach the final.\" The team has won only three of its last ten matches, and its star "
    "striker is out for a month with a knee injury.",
    "Researchers at the university said the new vaccine protected 83% of volunteers in a trial of 4,000 adults. "
    "The results, published in a medical journal on Monday, have not yet been reviewed by regulators, who are "
    "expected to decide by the end of the year whether to approve it.",
)


def widest_channels(model: Any, downs: list[str], tokenizer_file: Path, wide: int) -> dict[str, list[int]]:
    """Each down-projection's `wide` input channels of the largest magnitude over the calibration text."""
    import numpy as np
    import onnx
    import onnxruntime
    from tokenizers import Tokenizer

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    inputs = [next(n for n in probe.graph.node if n.name == name).input[0] for name in downs]
    for name in inputs:
        probe.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(probe.SerializeToString(), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    peak = [np.zeros(0)] * len(downs)
    for text in CALIBRATION:
        encoded = tokenizer.encode(text)
        outs = session.run(None, {"input_ids": np.array([encoded.ids], dtype=np.int64),
                                  "attention_mask": np.array([encoded.attention_mask], dtype=np.int64)})[1:]
        for k, states in enumerate(outs):
            widest = np.abs(states).reshape(-1, states.shape[-1]).max(axis=0)
            peak[k] = widest if not peak[k].size else np.maximum(peak[k], widest)
    return {name: sorted(int(c) for c in np.argsort(-p)[:wide]) for name, p in zip(downs, peak)}


def split_feed_forwards(model: Any, channels: dict[str, list[int]]) -> list[str]:
    """Rewrite each layer's MatMul -> BiasGelu -> MatMul (the down-projection named in channels) as two such
    branches over the listed channels and the rest, added. A down-projection in any other pattern (a GELU without
    its bias fused, say, from another model) is left whole. Returns the MatMuls the quantiser must leave in fp32:
    the wide branches' down-projections and the down-projections left whole."""
    import numpy as np
    from onnx import helper, numpy_helper

    weights = {init.name: init for init in model.graph.initializer}
    made = {output: node for node in model.graph.node for output in node.output}
    kept = []
    for name, wide in channels.items():
        down = next(n for n in model.graph.node if n.name == name)
        gelu = made[down.input[0]]
        up = made.get(gelu.input[0])
        if gelu.op_type != "BiasGelu" or up is None or up.op_type != "MatMul" or \
                any(n not in weights for n in (up.input[1], gelu.input[1], down.input[1])):
            kept.append(name)   # as recipe v3 kept every down-projection: whole, in fp32
            continue
        w_up, bias, w_down = (numpy_helper.to_array(weights[n]) for n in (up.input[1], gelu.input[1], down.input[1]))
        rest = np.setdiff1d(np.arange(w_up.shape[1]), wide)
        nodes = []
        for tag, index in (("wide", np.array(wide)), ("rest", rest)):
            part = f"{name}/{tag}"
            model.graph.initializer.extend([
                numpy_helper.from_array(np.ascontiguousarray(w_up[:, index]), f"{part}/up_w"),
                numpy_helper.from_array(np.ascontiguousarray(bias[index]), f"{part}/bias"),
                numpy_helper.from_array(np.ascontiguousarray(w_down[index]), f"{part}/down_w")])
            nodes += [helper.make_node("MatMul", [up.input[0], f"{part}/up_w"], [f"{part}/up"], name=f"{part}/up"),
                      helper.make_node("BiasGelu", [f"{part}/up", f"{part}/bias"], [f"{part}/gelu"],
                                       name=f"{part}/gelu", domain="com.microsoft"),
                      helper.make_node("MatMul", [f"{part}/gelu", f"{part}/down_w"], [f"{part}/down"],
                                       name=f"{part}/down")]
        nodes.append(helper.make_node("Add", [f"{name}/wide/down", f"{name}/rest/down"], list(down.output),
                                      name=f"{name}/add"))
        at = list(model.graph.node).index(up)
        for node in (up, gelu, down):
            model.graph.node.remove(node)
        for offset, node in enumerate(nodes):
            model.graph.node.insert(at + offset, node)
        kept.append(f"{name}/wide/down")
    used = {i for node in model.graph.node for i in node.input}
    for init in [i for i in model.graph.initializer if i.name not in used]:
        model.graph.initializer.remove(init)
    return kept
