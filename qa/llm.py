"""LLM backends behind one small protocol; make_llm(settings) picks one."""
from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from qa.errors import BackendError, ConfigError
from qa.settings import LLM_CHOICES, Settings


class LLM(Protocol):
    """What the reader needs from a language model (in-process backends may also offer
    judge(system, user) -> P(yes) - P(no); the reader uses it when present)."""

    name: str

    def complete(self, system: str, user: str) -> str:
        """The whole reply to a system and a user message."""

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply in pieces as they are generated."""


class LlamaIndexLLM:
    """Adapter: any llama-index LLM as our LLM protocol (chat messages in, text out)."""

    def __init__(self, llm: Any, name: str) -> None:
        self.llm = llm
        self.name = name

    @staticmethod
    def _messages(system: str, user: str) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]

    def complete(self, system: str, user: str) -> str:
        return "".join(self.stream(system, user))

    def stream(self, system: str, user: str) -> Iterator[str]:
        written = False
        try:
            for chunk in self.llm.stream_chat(self._messages(system, user)):
                if chunk.delta:
                    written = True
                    yield chunk.delta
        except (ConnectionError, OSError, TimeoutError) as err:
            raise BackendError(f"LLM {self.name} failed: {err}") from err
        except Exception as err:  # httpx/openai/ollama raise their own types, for failures and for garbage
            kind = type(err).__name__
            if any(word in kind.lower() for word in ("connect", "timeout", "apierror", "status")):
                raise BackendError(f"LLM {self.name} unreachable or failing: {kind}: {err}") from err
            raise BackendError(f"LLM {self.name} returned something unusable ({kind}: {err})") from err
        if not written:  # e.g. a web page instead of a stream of completions
            raise BackendError(f"LLM {self.name} returned no text: is {self.name.split(':')[0]} really serving there?")


def _require(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"This LLM backend needs extra packages: pip install 'newsqa[{extra}]'")


def _llamacpp(s: Settings) -> LLM:
    from qa.gguf import resolve_gguf
    from qa.llamacpp import LlamaCppChat

    path = resolve_gguf(s.llm_model, s.data_dir / "models")
    return LlamaCppChat(path, context_tokens=s.llm_context_tokens, max_tokens=s.llm_max_tokens,
                        temperature=s.llm_temperature)


def _ollama(s: Settings) -> LLM:
    _require("llama_index.llms.ollama", "ollama")
    from llama_index.llms.ollama import Ollama

    model = s.llm_model or "llama3.2"
    llm = Ollama(model=model, base_url=s.llm_base_url or "http://127.0.0.1:11434",
                 temperature=s.llm_temperature, request_timeout=s.timeout_s)
    return LlamaIndexLLM(llm, f"ollama:{model}")


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
    return LlamaIndexLLM(llm, f"openai:{model}")


_FACTORIES: dict[str, Callable[[Settings], LLM]] = {"llamacpp": _llamacpp, "ollama": _ollama, "openai": _openai}


def make_llm(settings: Settings) -> LLM | None:
    """The configured LLM, or None for the extractive answerer.

    Raises:
        ConfigError: unknown backend, missing package or model file.
    """
    if settings.llm == "extractive":
        return None
    factory = _FACTORIES.get(settings.llm)
    if factory is None:
        raise ConfigError(f"Unknown LLM {settings.llm!r}: choose one of {', '.join(LLM_CHOICES)}")
    return factory(settings)


def available_backends(settings: Settings) -> list[str]:
    """Answerers that can run here: extractive always, llamacpp when llama.cpp is installed, ollama and
    openai when a server URL is configured and their package is installed."""
    found = ["extractive"]
    if importlib.util.find_spec("llama_cpp") is not None:
        found.append("llamacpp")
    for name, module in (("ollama", "llama_index.llms.ollama"), ("openai", "llama_index.llms.openai_like")):
        if settings.llm_base_url and importlib.util.find_spec(module) is not None:
            found.append(name)
    if settings.llm not in found:
        found.append(settings.llm)
    return found
