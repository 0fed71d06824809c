"""Answerers behind one protocol (answer, stream): extractive (quotes, no model), judged (quotes what the
model judges the articles state; the default with a model) and the reader (the model writes)."""
from qa.answerers.base import Answerer, Findings

__all__ = ["Answerer", "Findings"]
