"""make_llm(settings): the configured LLM backend (llama.cpp in its worker, Ollama, an OpenAI-compatible
server), or None for no model."""
from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Callable

from qa.errors import ConfigError
from qa.llm.base import LLM
from qa.settings import LLM_CHOICES, Settings

BACKENDS = ("llamacpp", "ollama", "openai")


def _require(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"This LLM backend needs extra packages: pip install 'newsqa[{extra}]'")


def llamacpp_setup(s: Settings) -> tuple[bool, bool]:
    """Whether llama.cpp repacks the weights (extra buffer types, AMX among them), and whether Qwen runs from its
    weights at 8 bits. Auto: both where the CPU has AMX and this llama.cpp build's AMX kernels run (qa.llm.amx);
    elsewhere the repack where `qa prepare` timed it faster on this CPU (qa.llm.repack), and the shipped weights.
    A 258-token judgement prompt on an Intel Xeon with AMX (2 cores, `python -m evals.llm_speed`): 156 tokens/s for
    the shipped Q4_K_M without the repack, 180-186 with it, 240 at 8 bits with it, 77 at 8 bits without it (README,
    "Weight repacking and AMX"); on AMD EPYCs the repack is slower with AVX-512 and faster with AVX2 only."""
    from qa.llm.amx import amx_runs
    from qa.llm.repack import repack_faster

    runs = functools.cache(lambda: amx_runs(s.models_dir))   # checked only when a choice depends on it
    repack = s.llm_extra_buffers == "on" or (s.llm_extra_buffers == "auto" and (runs() or repack_faster(s.models_dir)))
    eight_bit = s.llm_weights == "q8_0" or (s.llm_weights == "auto" and repack and runs())
    return repack, eight_bit


def _llamacpp(s: Settings) -> LLM:
    from qa.llm.gguf import resolve_gguf
    from qa.llm.worker import WorkerLLM

    _require("llama_cpp", "llamacpp")
    repack, eight_bit = llamacpp_setup(s)
    try:
        path = resolve_gguf(s.llm_model, s.models_dir, eight_bit=eight_bit)
    except ConfigError as err:
        if not eight_bit or s.llm_weights != "auto":
            raise
        print(f"qa: {err}; running the shipped weights", file=sys.stderr, flush=True)   # e.g. a full disk
        path = resolve_gguf(s.llm_model, s.models_dir)
    return WorkerLLM(path, context_tokens=s.llm_context_tokens, max_tokens=s.llm_max_tokens,
                     temperature=s.llm_temperature, timeout_s=s.timeout_s, extra_buffers="on" if repack else "off",
                     flash_attention=s.llm_flash_attention)


def _ollama(s: Settings) -> LLM:
    _require("llama_index.llms.ollama", "ollama")
    from llama_index.llms.ollama import Ollama

    model = s.llm_model or "llama3.2"
    from qa.llm.servers import LlamaIndexLLM

    url = s.llm_base_url or "http://127.0.0.1:11434"
    llm = Ollama(model=model, base_url=url, temperature=s.llm_temperature, request_timeout=s.timeout_s)
    return LlamaIndexLLM(llm, f"ollama:{model}", judge_url=url, judge_api="ollama", timeout_s=s.timeout_s)


def _openai(s: Settings) -> LLM:
    _require("llama_index.llms.openai_like", "openai")
    from llama_index.llms.openai_like import OpenAILike

    if not s.llm_base_url:
        raise ConfigError("QA_LLM=openai needs QA_LLM_BASE_URL (an OpenAI-compatible server, "
                          "e.g. http://127.0.0.1:8080/v1)")
    model = s.llm_model or "local"
    llm = OpenAILike(model=model, api_base=s.llm_base_url, api_key=s.llm_api_key.get_secret_value() or "none",
                     is_chat_model=True, temperature=s.llm_temperature, max_tokens=s.llm_max_tokens,
                     timeout=s.timeout_s, max_retries=0, context_window=s.llm_context_tokens)
    from qa.llm.servers import LlamaIndexLLM

    return LlamaIndexLLM(llm, f"openai:{model}", judge_url=s.llm_base_url, judge_api="openai",
                         api_key=s.llm_api_key.get_secret_value(), timeout_s=s.timeout_s)


_FACTORIES: dict[str, Callable[[Settings], LLM]] = {"llamacpp": _llamacpp, "ollama": _ollama, "openai": _openai}


def backend(settings: Settings) -> str | None:
    """The LLM backend the settings name; QA_LLM=auto is llama.cpp when it and the Qwen model are installed
    (the README's setup installs both), else None: no model."""
    if settings.llm == "extractive":
        return None
    if settings.llm == "auto":
        from qa.llm.gguf import qwen_installed

        if importlib.util.find_spec("llama_cpp") is None or not (settings.llm_model or qwen_installed()):
            return None
        return "llamacpp"
    return settings.llm


def make_llm(settings: Settings) -> LLM | None:
    """The configured LLM, or None when there is no model.

    Raises:
        ConfigError: unknown backend, missing package or model file.
    """
    name = backend(settings)
    if name is None:
        return None
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ConfigError(f"Unknown LLM {name!r}: choose one of {', '.join(LLM_CHOICES)}")
    return factory(settings)
