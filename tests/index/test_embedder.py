import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_a_question_is_embedded_once_and_shared_with_llama_index(embedder):
    question = "Who invited Putin to visit North Korea?"
    first = embedder.embed_query(question)
    assert np.allclose(first, embedder.embed([question])[0], atol=1e-6)
    assert embedder.embed_query(question) is first and not first.flags.writeable
    assert embedder.as_llama_index().get_query_embedding(question) == pytest.approx(first.tolist(), abs=1e-6)


@pytest.fixture(scope="session")
def onnx_embedder(tmp_path_factory):
    from index.embedder import load_embedder

    models = tmp_path_factory.mktemp("onnx-cache") / "models"
    model = load_embedder("onnx", None, 16, models)
    model.cache_dir = models
    return model


def test_the_int8_onnx_model_gives_the_torch_vectors(embedder, onnx_embedder):
    from tests.conftest import SEEDS

    texts = [p.read_text()[:2000] for p in sorted(SEEDS.glob("*.txt"))] + ["Who invited Putin?", "x", "a " * 600]
    ours, reference = onnx_embedder.embed(texts), embedder.embed(texts)
    assert ours.shape == reference.shape and np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert (ours * reference).sum(axis=1).min() > 0.97  # int8 per channel: the same vectors, nearly
    assert onnx_embedder.variant == "onnx-int8" and onnx_embedder.name == "all-MiniLM-L6-v2"
    # order of the batch does not matter (texts are sorted by length inside)
    assert np.allclose(onnx_embedder.embed(texts[::-1])[::-1], ours, atol=1e-5)
    assert onnx_embedder.embed([]).shape == (0, 384)


def test_only_the_down_projections_widest_channels_stay_in_fp32_and_the_rest_is_int8(onnx_embedder):
    import onnx

    from index.onnx_split import WIDE_CHANNELS

    model = onnx.load(str(onnx_embedder._onnx_file))
    weights = {init.name: init for init in model.graph.initializer}
    kept = [node for node in model.graph.node if node.op_type == "MatMul"]
    # all six in int8 cost synthesis 6 of 89 key points (README, "The int8 model"); their widest channels apart
    # in fp32 keep the vectors where the six in fp32 had them
    assert [node.name for node in kept] == [f"/encoder/encoder/layer.{i}/output/dense/MatMul/wide/down"
                                            for i in range(6)]
    assert all(list(weights[node.input[1]].dims) == [WIDE_CHANNELS, 384] for node in kept)
    # per layer: the attention output, both branches' up-projections and the rest's down-projection
    assert sum(node.op_type == "MatMulInteger" for node in model.graph.node) == 24


def test_splitting_the_feed_forwards_by_channel_changes_nothing_before_quantising(onnx_embedder, tmp_path):
    import onnx
    import onnxruntime

    from index.embedder import bundled_model_path
    from index.onnx_export import _export, _optimise, gelu_fed_matmuls
    from index.onnx_split import split_feed_forwards, widest_channels

    _export(bundled_model_path(), tmp_path / "fp32.onnx")
    _optimise(tmp_path / "fp32.onnx", tmp_path / "opt.onnx", bundled_model_path())
    model = onnx.load(str(tmp_path / "opt.onnx"))
    downs = gelu_fed_matmuls(model)
    channels = widest_channels(model, downs, bundled_model_path() / "tokenizer.json", 8)
    assert len(channels) == 6 and all(len(c) == 8 and len(set(c)) == 8 for c in channels.values())
    split = onnx.ModelProto()
    split.CopyFrom(model)
    assert len(split_feed_forwards(split, channels)) == 6
    feed = {"input_ids": np.array([[101, 2040, 4778, 22072, 102]]), "attention_mask": np.ones((1, 5), dtype=np.int64)}
    before, after = (onnxruntime.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
                     .run(None, feed)[0] for m in (model, split))
    assert np.allclose(before, after, atol=1e-4)


def test_the_onnx_model_is_built_once_and_reused(onnx_embedder, tmp_path):
    from index.embedder import bundled_model_path
    from index.onnx_export import int8_model

    cache = onnx_embedder.cache_dir
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.onnx")}
    assert len(before) == 1
    assert int8_model(bundled_model_path(), cache).stat().st_mtime_ns == next(iter(before.values()))
    assert not list(cache.glob(".export-*"))  # no half-written export left behind


def test_an_unknown_backend_is_a_config_error(tmp_path):
    from index.embedder import load_embedder
    from qa.errors import ConfigError

    with pytest.raises(ConfigError, match="Unknown embedding backend"):
        load_embedder("tensorflow", None, 8, tmp_path)


def test_the_export_is_shared_by_data_dirs_and_ingest_then_needs_no_torch(onnx_embedder, tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import SEEDS

    probe = ("import sys; from qa.pipeline import NewsQA; from qa.settings import Settings; "
             f"r = NewsQA(Settings(data_dir={str(tmp_path / 'fresh')!r})).ingest({str(SEEDS)!r}); "
             "print(r.added, 'torch' in sys.modules)")
    env = {**os.environ, "QA_CACHE_DIR": str(onnx_embedder.cache_dir.parent)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["5", "False"], out.stderr[-2000:]
    assert "building the int8 ONNX" not in out.stderr   # made once, found in the cache
    assert not (tmp_path / "fresh" / "models").exists()


def test_the_cache_dir_follows_xdg_and_qa_cache_dir(monkeypatch, tmp_path):
    from qa.settings import Settings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings().models_dir == tmp_path / "xdg" / "newsqa" / "models"
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "mine"))
    assert Settings().models_dir == tmp_path / "mine" / "models"


def test_one_pass_gives_the_text_vector_and_its_sentences_and_both_backends_agree(embedder, onnx_embedder):
    from index.sentences import sentence_spans

    text = ("Putin arrived in Pyongyang on Wednesday. Kim Jong Un met him at the airport. "
            "The two leaders signed a partnership pact.")
    spans = sentence_spans(text)
    long = "word " * 400 + "The end comes after the model's limit."
    for model in (onnx_embedder, embedder):
        vectors, sentences = model.embed_with_spans([text, long], [spans, [(0, 4), (2000, len(long))]])
        assert np.allclose(vectors, model.embed([text, long]), atol=1e-4)   # the same pass, the same vector
        assert sentences[0].shape == (3, 384) and np.allclose(np.linalg.norm(sentences[0], axis=1), 1.0, atol=1e-4)
        assert not np.isnan(sentences[1][0]).any() and np.isnan(sentences[1][1]).all()   # cut off at 256 wordpieces
        # each sentence's pooled vector is nearest to that sentence embedded alone
        alone = model.embed([text[s:e] for s, e in spans])
        assert list((sentences[0] @ alone.T).argmax(axis=1)) == [0, 1, 2]
    ours, reference = (m.embed_with_spans([text], [spans])[1][0] for m in (onnx_embedder, embedder))
    assert (ours * reference).sum(axis=1).min() > 0.97
