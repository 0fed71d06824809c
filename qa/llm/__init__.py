"""LLM backends: the protocol, llama.cpp in a worker process of its own, servers through llama-index.

`qa.llm.factory.make_llm(settings)` picks one; nothing here loads a model on import.
"""
from qa.llm.base import LLM, yes_no_margin

__all__ = ["LLM", "yes_no_margin"]
