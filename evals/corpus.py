"""Write a dataset's documents as article files and ingest them into their own collection."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from evals.datasets import Dataset
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.pipeline import NewsQA


def collection_for(dataset: Dataset) -> str:
    """The collection a dataset is evaluated in: eval-<name>."""
    return "eval-" + re.sub(r"[^A-Za-z0-9._-]", "-", dataset.collection or dataset.name).strip("-._")


def materialise(dataset: Dataset, out: Path) -> Path:
    """The folder of the dataset's articles, writing benchmark documents as one .txt file each.

    Files already holding the same text are left alone, so repeated runs skip re-ingest.
    """
    if dataset.documents is None:
        assert dataset.corpus_dir is not None
        return dataset.corpus_dir
    folder = out / "corpus" / dataset.name
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{did}.txt" for did in dataset.documents}
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    for did, text in dataset.documents.items():
        path = folder / f"{did}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    return folder


def ingest_dataset(settings: Settings, dataset: Dataset, out: Path, embedder=None) -> tuple[NewsQA, Path, str]:
    """Ingest the dataset's corpus into its own collection (eval-<name>).

    Returns:
        The pipeline over that collection, the corpus folder and the ingest summary line.
    """
    from qa.pipeline import NewsQA

    folder = materialise(dataset, out)
    scoped = settings.model_copy(update={"collection": collection_for(dataset)})
    pipeline = NewsQA(scoped, embedder=embedder)
    report = pipeline.ingest(folder, prune=True, progress=True)
    return pipeline, folder, report.summary()
