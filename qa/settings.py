"""The one settings object: every knob, overridable by QA_* environment variables."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_cache_dir() -> Path:
    """Where models built or joined once per user live: $XDG_CACHE_HOME/newsqa, else ~/.cache/newsqa."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "newsqa"


LLM_CHOICES = ("auto", "extractive", "llamacpp", "ollama", "openai")
ANSWERER_CHOICES = ("auto", "extractive", "judged", "reader")


class Settings(BaseSettings):
    """Effective configuration; build it at an entry point and pass it down."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    # storage
    data_dir: Path = Field(Path(".qa"), description="where the Chroma index lives")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="models made once per user and shared "
                            "by every data dir (the int8 ONNX export, the joined GGUF), keyed by content")
    collection: str = Field("articles", description="Chroma collection name")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; unset = embedded")

    # ingestion
    chunk_words: int = Field(170, description="target chunk size in words (MiniLM reads ~256 wordpieces)")
    overlap_words: int = Field(30, description="overlap between neighbouring chunks in words")
    dump_fields: str = Field("", description="dump field overrides, e.g. text=content,date=ts (fields: text, "
                             "title, date, outlet, author, url, id); the usual names are found without them")
    max_file_mb: float = Field(5.0, gt=0, description="files larger than this (MB) are skipped with the reason")
    feed_page_words: int = Field(150, ge=0, description="a feed fetched from a URL: an entry of fewer words (a "
                                 "summary) gets the article text of the page it links to; 0 = the feed's text only")
    embed_model: str = Field("", description="path of a sentence-transformers model; empty = bundled MiniLM (with "
                             "embed_backend=openai: the model name to ask the server for; empty = its one model)")
    embed_backend: Literal["onnx", "torch", "openai"] = Field(
        "onnx", description="onnx: int8 ONNX Runtime export of the model (built once into CACHE_DIR/models); "
        "torch: sentence-transformers; openai: a server's /v1/embeddings at embed_base_url (TEI, vLLM, "
        "Infinity, Ollama, qa serve). Questions are embedded by whichever built the collection")
    embed_base_url: str = Field("", description="OpenAI-compatible base URL of the embedding server "
                                "(embed_backend=openai), e.g. http://127.0.0.1:7997/v1")
    embed_api_key: SecretStr = Field(SecretStr(""), description="bearer token of the embedding server")
    embed_batch: int = Field(0, ge=0, description="texts per embedding batch, sorted by length first "
                             "(0: the backend's best: 1 for onnx, 32 for torch)")
    ray: str = Field("", description="embed an ingest's chunks on Ray: local (start Ray on this machine) or a "
                     "cluster's address (ray://host:10001, auto); empty = in this process")
    ray_workers: int = Field(0, ge=0, description="Ray embedding actors (0: one per CPU Ray offers)")
    sentence_vectors: Literal["late", "standalone"] = Field(
        "late", description="late: each sentence's vector is pooled from its chunk's one forward pass (late "
        "chunking); standalone: every sentence is embedded again on its own (a second pass at ingest)")

    # retrieval
    top_k: int = Field(5, ge=1, le=50, description="passages handed to the answerer")
    candidates: int = Field(20, ge=1, description="candidates fetched from each retriever before fusion")
    rerank_depth: int = Field(10, ge=1, description="passages re-scored by their best sentence before keeping top_k")
    recent_days: int = Field(0, ge=0, le=3650, description="without time words, prefer articles of the last N days "
                             "before the day asked among near-equal evidence (0: off; measured on newsdump: no gain)")
    dense_weight: float = Field(0.5, ge=0.0, le=1.0, description="weight of dense vs BM25 in score fusion")
    fusion: Literal["dist_based_score", "relative_score", "reciprocal_rerank"] = Field(
        "dist_based_score", description="how llama-index's QueryFusionRetriever fuses dense and BM25 scores")

    # answering
    answerer: Literal["auto", "extractive", "judged", "reader"] = Field(
        "auto", description="auto (judged when a model is there, else extractive) | extractive (quotes, no model) "
        "| judged (quotes only what the model judges the articles state) | reader (the model writes every answer)")
    llm: Literal["auto", "extractive", "llamacpp", "ollama", "openai"] = Field(
        "auto", description="the model backend: auto (llamacpp when the Qwen model is installed) | extractive "
        "(no model) | llamacpp | ollama | openai")
    llm_extra_buffers: Literal["auto", "on", "off"] = Field(
        "auto", description="llama.cpp weight repacking (extra buffer types, AMX among them): auto (on where "
        "llama.cpp's AMX kernels run, checked once per build; elsewhere on where `qa prepare` timed it faster on "
        "this CPU, once per build: faster on AVX2-only CPUs, slower with AVX-512) | on | off")
    llm_weights: Literal["auto", "shipped", "q8_0"] = Field(
        "auto", description="the Qwen model's weights: auto (q8_0 where the repack is on and llama.cpp's AMX "
        "kernels run, shipped elsewhere) | shipped (Q4_K_M) | q8_0 (the same weights at 8 bits, made once)")
    llm_flash_attention: bool = Field(
        True, description="llama.cpp's flash attention: on, its candidates' batch is 8-15% faster with the same "
        "judgements (within 0.04) on an Intel Xeon with AMX, with the repack on and off")
    llm_model: str = Field("", description="model name (ollama/openai) or GGUF path (llamacpp); empty = default")
    llm_base_url: str = Field("", description="base URL of an Ollama or OpenAI-compatible server")
    llm_api_key: SecretStr = Field(SecretStr(""), description="API key for an OpenAI-compatible server")
    llm_max_tokens: int = Field(256, description="answer length cap for generating LLMs")
    llm_context_tokens: int = Field(4096, description="context window for llama.cpp")
    llm_temperature: float = Field(0.0, description="sampling temperature")
    timeout_s: float = Field(120.0, description="LLM request timeout in seconds")
    max_sentences: int = Field(3, ge=1, description="sentences the extractive answerer may quote")
    min_support: float = Field(0.351, description="sentence support score below which the assistant refuses "
                               "(fitted on the seeds: python -m evals.calibrate)")
    reader_sentences: int = Field(4, ge=1, description="best evidence sentences the LLM reader reads (with "
                                  "the sentence before when they lean on it)")
    judge_support_weight: float = Field(0.5, ge=0.0, description="weight of the evidence margin beside the "
                                        "reader's yes/no judgement when deciding to refuse")
    judge_threshold: float = Field(-0.234, description="the model refuses when judgement + weight x evidence "
                                   "margin falls below this")
    choice: Literal["sentences", "list", "excerpts"] = Field(
        "sentences", description="how the judged answerer's model chooses the quote: sentences (each candidate "
        "sentence judged yes/no, the question's prefix evaluated once) | list (the candidates numbered in one "
        "prompt, read from the numbers' logits) | excerpts (one yes/no over the best excerpts; evidence picks)")
    judge_order: Literal["question", "sentence", "both", "leader"] = Field(
        "leader", description="what each candidate's yes/no prompt reads first: question (a prefix the candidates "
        "share in the KV cache) | sentence (the question read last, just before the reply) | both (the mean of the "
        "two, twice the prompts: it separates right from wrong candidates and answerable from unanswerable "
        "questions best on seeds and realnews, README \"How a quote is chosen\") | leader (the default: question "
        "first for every candidate, raised onto both's scale, and the leading one read sentence first too, about "
        "one prompt more; half the time of both, README \"The leader read both ways\"). The cuts "
        "QA_CHOICE_THRESHOLD, QA_UNNAMED_JUDGE and QA_RECHECK_BELOW are fitted for both (and leader); with "
        "question, set them "
        "to -0.78, -0.1 and -0.4")
    choice_candidates: int = Field(7, ge=1, le=16, description="best evidence sentences the model judges")
    choice_more: int = Field(3, ge=0, le=16, description="next-best sentences the model judges before a fact "
                             "question is refused (0: none); when one passes, the choice is made over all")
    choice_more_below: float = Field(-0.1, ge=-1.0, le=1.0, description="the next QA_CHOICE_MORE sentences are judged "
                                     "too when the leading one's judgement is below this, though it passed (-1: only "
                                     "before a refusal; measured on seeds, realnews, its paraphrases and squad2, "
                                     "README \"A doubted leader\")")
    choice_weight: float = Field(0.5, ge=0.0, description="weight of a candidate's evidence margin beside the "
                                 "model's judgement of it")
    choice_threshold: float = Field(-0.7, description="a candidate answers when judgement + weight x evidence "
                                    "margin reaches this; none does: the assistant refuses (fitted for QA_JUDGE_ORDER "
                                    "through qa eval on seeds and realnews with the copy test behind it; README, "
                                    "\"What the prompt reads first\")")
    refusal: Literal["choice", "excerpts"] = Field(
        "choice", description="what decides that the articles don't say: choice (no candidate sentence passes "
        "QA_CHOICE_THRESHOLD) | excerpts (first one yes/no over the best excerpts together, QA_JUDGE_THRESHOLD; "
        "then the model's choice picks the quote: refuses more, ~2 s slower on real news; measured with python -m "
        "evals.refusal_probe)")
    recheck_below: float = Field(-0.1, description="an answer whose chosen sentence the model judged below this "
                                 "is asked once more: one yes/no over the best 3 candidates together (-1: never; "
                                 "fitted for QA_JUDGE_ORDER on seeds and realnews, README \"Refusing\")")
    recheck_threshold: float = Field(-0.3, description="that second yes/no must reach this P(yes) - P(no), or the "
                                     "answer is refused (QA_RECHECK_BELOW)")
    recheck_later: float = Field(-0.2, description="when the model doubts the chosen sentence and its answer words "
                                 "stood only from a later passing candidate, that second yes/no is asked whatever the "
                                 "chosen sentence's judgement and must reach this (the stricter of it and "
                                 "QA_RECHECK_THRESHOLD): the leader itself gave nothing; -1: as any other answer "
                                 "(fitted on seeds and realnews, README \"Words from a later candidate, asked again\")")
    direct_answer: bool = Field(True, description="lead a quoted answer with the few words that answer, written by "
                                "the model and checked against the sentence")
    refuse_unnamed: bool = Field(True, description="refuse a fact question when the model doubts the chosen "
                                 "sentence (QA_UNNAMED_JUDGE) and copies no answer that stands its check from it or "
                                 "the next passing ones: the sentence is about the question without answering it; "
                                 "a yes/no question when the model doubts the quote and reads it as neither a clear "
                                 "yes nor a clear no")
    unnamed_judge: float = Field(0.15, description="the chosen sentence's P(yes) - P(no) below which the model doubts "
                                 "it, and its answer must be copied from a passing sentence (QA_REFUSE_UNNAMED); "
                                 "fitted for QA_JUDGE_ORDER on seeds and realnews (README)")
    confirm_judge: float = Field(-1.0, description="words copied from a doubted sentence stand only when the model, "
                                 "asked whether the text says they answer the question, gives P(yes) - P(no) at "
                                 "least this; -1 (the default) never asks: at -0.1 and 0 it refused one more "
                                 "realnews question and cost ~0.2 s a question (README, \"Refusing\")")
    yes_no_lead: bool = Field(True, description="lead the quote of a yes/no question with Yes or No when the model "
                              "reads it as settling the question (the sentence, then the question asked of it)")
    judge_input: Literal["excerpts", "passages", "each"] = Field(
        "excerpts", description="what the judged answerer's model reads: the best evidence excerpts, the top 3 "
        "passages in one prompt, or each of them in a prompt of its own (the best judgement counts)")
    synthesis_articles: int = Field(5, ge=1, description="articles a summary, comparison, list or timeline draws on")
    synthesis_sentences: int = Field(2, ge=1, description="sentences of each article the model reads for a synthesis")
    synthesis_judged: int = Field(16, ge=2, le=16, description="sentences the model judges for relevance "
                                  "for a synthesis: all of a sole article's, else up to 8 of the best article, "
                                  "at least 2 of each other")
    synthesis_share: float = Field(0.75, gt=0, le=1, description="a synthesis reads the articles whose best "
                                   "sentence's evidence reaches this share of the best article's")
    synthesis_relevance: float = Field(-0.5, description="a synthesis reads a sentence only when the model's "
                                       "P(yes) - P(no) that it is relevant to the question reaches this")
    synthesis_margin: float = Field(0.3, ge=0, description="a synthesis quotes and cites an article its checked "
                                    "overview does not cite only when its most relevant sentence's judgement comes "
                                    "within this of the best article's (the overview reads those within 0.5)")
    synthesis_passages: int = Field(10, ge=1, description="passages retrieved for a synthesis question, "
                                    "at most 2 per article")
    synthesis_whole: int = Field(8, ge=0, description="chunks of the best article a synthesis reads whole, in "
                                 "order (~200 words each; 0: only its retrieved chunks)")
    claim_names: float = Field(0.75, ge=0.0, le=1.0, description="share of a claim's names and numbers its cited "
                               "passage must contain")
    claim_similarity: float = Field(0.45, description="cosine above which a cited sentence states a claim")
    claim_coverage: float = Field(0.5, description="key-term coverage above which a cited sentence states a claim")

    # ui
    host: str = Field("127.0.0.1", description="UI bind address")
    port: int = Field(7860, ge=1, le=65535, description="UI port")
    ui_user: str = Field("", description="basic-auth user for the UI (required when it binds beyond loopback)")
    ui_password: SecretStr = Field(SecretStr(""), description="basic-auth password for the UI")
    api_token: SecretStr = Field(SecretStr(""), description="bearer token `qa serve` requires on its API routes "
                                 "(required when it binds beyond loopback)")

    @property
    def models_dir(self) -> Path:
        """Folder of the models made once per user (QA_CACHE_DIR/models)."""
        return Path(self.cache_dir) / "models"

    @property
    def chroma_dir(self) -> Path:
        """Folder of the embedded Chroma database."""
        return self.data_dir / "chroma"

    def cache_key(self) -> str:
        """The whole effective configuration as one string (secrets included, never printed)."""
        data = self.model_dump(mode="json")
        data["llm_api_key"] = self.llm_api_key.get_secret_value()
        data["embed_api_key"] = self.embed_api_key.get_secret_value()
        data["ui_password"] = self.ui_password.get_secret_value()
        data["api_token"] = self.api_token.get_secret_value()
        data["data_dir"] = str(Path(self.data_dir).resolve())
        data["cache_dir"] = str(Path(self.cache_dir).resolve())
        return json.dumps(data, sort_keys=True)

    def masked(self) -> dict[str, object]:
        """Settings as plain values with secrets masked, for `qa config`."""
        out: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = "**********" if value.get_secret_value() else ""
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        return out
