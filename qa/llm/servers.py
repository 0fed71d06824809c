"""Models behind a server (Ollama, any OpenAI-compatible one) through llama-index, as our LLM protocol.

Chat goes through llama-index's adapters; the yes/no judgement asks the server for one token with its
top log-probabilities (`logprobs`/`top_logprobs`), which both APIs report. A server that reports none
gives no judgement, and the answerer falls back to the evidence score alone.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qa.errors import BackendError
from qa.llm.base import yes_no_margin

TOP_LOGPROBS = 20


class LlamaIndexLLM:
    """Adapter: any llama-index LLM as our LLM protocol (chat messages in, text out)."""

    def __init__(self, llm: Any, name: str, *, judge_url: str = "", judge_api: str = "",
                 api_key: str = "", timeout_s: float = 120.0) -> None:
        """
        Args:
            llm: the llama-index LLM.
            name: what answers are credited to ("ollama:llama3.2").
            judge_url: the server's base URL for the judgement request ("" for none).
            judge_api: "openai" or "ollama": how to ask for log-probabilities.
            api_key: bearer token of an OpenAI-compatible server.
            timeout_s: request timeout.
        """
        self.llm = llm
        self.name = name
        self._judge_url = judge_url.rstrip("/")
        self._judge_api = judge_api
        self._api_key = api_key
        self._timeout_s = timeout_s

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
            raise _backend_error(self.name, err) from err
        if not written:  # e.g. a web page instead of a stream of completions
            raise BackendError(f"LLM {self.name} returned no text: is {self.name.split(':')[0]} really serving there?")

    def judge(self, system: str, user: str) -> float | None:
        """P(yes) - P(no) of the first reply token from the server's top log-probabilities; None when the
        server reports none (the answerer then decides on the evidence alone)."""
        if not self._judge_url:
            return None
        import httpx

        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        model = self.name.split(":", 1)[1]
        if self._judge_api == "ollama":
            url, body = f"{self._judge_url}/api/chat", {
                "model": model, "messages": messages, "stream": False, "logprobs": True,
                "top_logprobs": TOP_LOGPROBS, "options": {"temperature": 0, "num_predict": 1}}
        else:
            url, body = f"{self._judge_url}/chat/completions", {
                "model": model, "messages": messages, "max_tokens": 1, "temperature": 0, "logprobs": True,
                "top_logprobs": TOP_LOGPROBS}
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            reply = httpx.post(url, json=body, headers=headers, timeout=self._timeout_s)
            reply.raise_for_status()
            return yes_no_margin(_first_token_alternatives(reply.json(), self._judge_api))
        except (httpx.HTTPError, ValueError) as err:
            raise _backend_error(self.name, err) from err


def _first_token_alternatives(data: Any, api: str) -> list[tuple[str, float]]:
    """(token, logprob) alternatives of the first reply token in an OpenAI or Ollama chat response ([] if none)."""
    try:
        if api == "ollama":
            first = (data.get("logprobs") or [None])[0]
        else:
            first = ((data["choices"][0].get("logprobs") or {}).get("content") or [None])[0]
    except (KeyError, IndexError, TypeError, AttributeError):
        return []
    if not isinstance(first, dict):
        return []
    pairs = [(alt.get("token", ""), float(alt.get("logprob", -1e9))) for alt in first.get("top_logprobs") or []]
    return pairs or [(first.get("token", ""), float(first.get("logprob", -1e9)))]


def _backend_error(name: str, err: Exception) -> BackendError:
    kind = type(err).__name__
    if any(word in kind.lower() for word in ("connect", "timeout", "apierror", "status")):
        return BackendError(f"LLM {name} unreachable or failing: {kind}: {err}")
    return BackendError(f"LLM {name} returned something unusable ({kind}: {err})")
