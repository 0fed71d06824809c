"""Question sets and their corpora: the project's own seeds set and the outside benchmarks."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from qa.errors import InputError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BENCHMARKS = REPO.parent / "shared" / "benchmarks"


@dataclass(frozen=True, slots=True)
class Question:
    """One eval item: answers are any-of gold strings, sources the gold article ids."""

    qid: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    answerable: bool


@dataclass(frozen=True, slots=True)
class Dataset:
    """Questions plus the documents they are asked over (id -> text)."""

    name: str
    questions: tuple[Question, ...]
    documents: dict[str, str] | None   # None: ingest corpus_dir as it is
    corpus_dir: Path | None = None


def doc_id(text: str, prefix: str) -> str:
    """Stable document id from its text: prefix + 12 hex digits of its SHA-1."""
    return f"{prefix}_{hashlib.sha1(text.encode()).hexdigest()[:12]}"


def _read_jsonl(path: Path) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"Cannot read question set {path}: {err}") from err


def _questions(rows: list[dict], path: Path) -> tuple[Question, ...]:
    try:
        return tuple(Question(str(r.get("id", i)), r["question"], tuple(r.get("answers", ())),
                              tuple(r.get("sources", ())), bool(r.get("answerable", True)))
                     for i, r in enumerate(rows, 1))
    except (KeyError, TypeError) as err:
        raise InputError(f"{path}: every line needs at least a 'question' ({err})") from err


def load_jsonl(path: Path, corpus_dir: Path) -> Dataset:
    """A question set in our JSONL format over a folder of articles."""
    return Dataset(path.stem, _questions(_read_jsonl(path), path), None, corpus_dir)


def load_seeds() -> Dataset:
    """The project's own questions over seeds/."""
    return load_jsonl(HERE / "datasets" / "seeds.jsonl", REPO / "seeds")


def load_squad2(root: Path) -> Dataset:
    """SQuAD 2.0 subset: each distinct context paragraph is one document."""
    folder = root / "squad2"
    try:
        queries = json.loads((folder / "queries.json").read_text())["queries"]
        truth = json.loads((folder / "ground_truth.json").read_text())
    except (OSError, KeyError, json.JSONDecodeError) as err:
        raise InputError(f"Cannot read the squad2 benchmark under {folder}: {err}") from err
    documents: dict[str, str] = {}
    questions = []
    for q in queries:
        did = doc_id(q["context"], "squad")
        documents[did] = q["context"]
        gold = truth[q["id"]]
        questions.append(Question(q["id"], q["question"], tuple(gold.get("answers", ())), (did,),
                                  not gold.get("is_impossible", False)))
    return Dataset("squad2", tuple(questions), documents)


def load_rgb(root: Path) -> Dataset:
    """RGB English fact set: every positive and negative snippet is one document."""
    path = root / "rgb" / "en_fact.json"
    rows = _read_jsonl(path)
    documents: dict[str, str] = {}
    questions = []
    for r in rows:
        gold = []
        for text in r["positive"]:
            documents[doc_id(text, "rgb")] = text
            gold.append(doc_id(text, "rgb"))
        for text in r["negative"]:
            documents.setdefault(doc_id(text, "rgb"), text)
        answers = r["answer"] if isinstance(r["answer"], list) else [r["answer"]]
        flat = [a for item in answers for a in (item if isinstance(item, list) else [item])]
        questions.append(Question(str(r["id"]), r["query"], tuple(map(str, flat)), tuple(gold), True))
    return Dataset("rgb", tuple(questions), documents)


def load_dataset(name: str, benchmarks: Path | None = None, corpus_dir: Path | None = None) -> Dataset:
    """Resolve --dataset: seeds, squad2, rgb or a path to a JSONL file.

    Raises:
        InputError: unknown name, missing benchmark folder or file.
    """
    root = benchmarks or DEFAULT_BENCHMARKS
    if name == "seeds":
        return load_seeds()
    if name in ("squad2", "rgb"):
        if not root.is_dir():
            raise InputError(f"No benchmarks folder at {root}: pass --benchmarks DIR")
        return load_squad2(root) if name == "squad2" else load_rgb(root)
    path = Path(name)
    if path.suffix == ".jsonl" and path.is_file():
        return load_jsonl(path, corpus_dir or REPO / "seeds")
    raise InputError(f"Unknown dataset {name!r}: use seeds, squad2, rgb or a .jsonl file")
