"""make_answerer(settings): the answerer the settings ask for, over the backend they name."""
from __future__ import annotations

import sys
import threading

from qa.answerers.base import Answerer
from qa.answerers.extractive import ExtractiveAnswerer
from qa.errors import ConfigError
from qa.llm.base import LLM
from qa.llm.factory import BACKENDS, backend, make_llm
from qa.settings import Settings

ANSWERERS = ("extractive", "judged", "reader")
_told: set[str] = set()   # a cache of what was said on stderr: say it once per process


def answerer_name(settings: Settings, llm: LLM | None = None) -> str:
    """The answerer QA_ANSWERER means: auto is judged when there is a model, else extractive."""
    if settings.answerer != "auto":
        return settings.answerer
    return "judged" if llm is not None or backend(settings) is not None else "extractive"


def make_answerer(settings: Settings, llm: LLM | None = None) -> Answerer:
    """The configured answerer: extractive, judged (the default with a model) or the reader.

    Args:
        settings: effective settings (answerer, llm backend, thresholds).
        llm: an LLM to use instead of the configured backend (tests pass a scripted one).

    Raises:
        ConfigError: an answerer that needs a model without one, unknown backend, missing package or model file.
    """
    name = answerer_name(settings, llm)
    if name == "extractive":
        if settings.answerer == "auto" and settings.llm == "auto" and "no-model" not in _told:
            _told.add("no-model")
            print("qa: no model installed: extractive answers (make setup installs the Qwen model, which judges "
                  "every answer)", file=sys.stderr)
        return ExtractiveAnswerer.from_settings(settings)
    chosen = llm if llm is not None else make_llm(settings)
    if chosen is None:
        raise ConfigError(f"The {name} answerer needs a model: install one (make setup) or set QA_LLM to "
                          f"{', '.join(BACKENDS)}")
    from qa.answerers.judged import JudgedAnswerer
    from qa.answerers.reader import LLMAnswerer

    return JudgedAnswerer(chosen, settings) if name == "judged" else LLMAnswerer(chosen, settings)


def with_answerer(settings: Settings, choice: str) -> Settings:
    """Settings for a per-question choice: an answerer (extractive, judged, reader) or, as before, a backend."""
    if choice in ANSWERERS:
        return settings.model_copy(update={"answerer": choice})
    if choice in BACKENDS:
        return settings.model_copy(update={"llm": choice, "answerer": "auto"})
    raise ConfigError(f"Unknown answerer {choice!r}: choose one of {', '.join(ANSWERERS)}")


def available_answerers(settings: Settings) -> list[str]:
    """Answerers that can run here: extractive always, judged and reader when a model is configured."""
    return ["extractive", "judged", "reader"] if backend(settings) is not None else ["extractive"]


class Answerers:
    """The answerers of one pipeline, each built on first use; those with a model share one."""

    def __init__(self, settings: Settings, llm: LLM | None = None, fixed: Answerer | None = None) -> None:
        """
        Args:
            settings: effective settings.
            llm: a model to use instead of the configured backend (tests pass a scripted one).
            fixed: an answerer to use as the configured one (a pipeline assembled from ready parts).
        """
        self.settings = settings
        self._llm = llm
        self._built: dict[str | None, Answerer] = {} if fixed is None else {None: fixed}
        self._lock = threading.RLock()

    def _model(self, settings: Settings) -> LLM | None:
        if self._llm is None and backend(settings) is not None:
            self._llm = make_llm(settings)
        return self._llm

    def get(self, name: str | None = None) -> Answerer:
        """The answerer called name (extractive, judged, reader, or a backend such as llamacpp); None is the
        configured one (a model starts loading when it is built)."""
        s = self.settings
        key = None if name is None or name == s.answerer or name == answerer_name(s, self._llm) else name
        with self._lock:
            if key not in self._built:
                settings = s if key is None else with_answerer(s, key)
                shared = key is None or (key in ANSWERERS and key != "extractive")
                needs = shared and answerer_name(settings, self._llm) != "extractive"
                self._built[key] = make_answerer(settings, self._model(settings) if needs else None)
            return self._built[key]
