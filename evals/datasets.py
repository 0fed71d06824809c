"""Question sets and their corpora: the project's own seeds set and the outside benchmarks."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from index.metadata import iso_date
from qa.errors import InputError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BENCHMARKS = REPO.parent / "shared" / "benchmarks"
# benchmarks in our JSONL format over a folder of their own: name -> (questions file, corpus folder) under the root
FOLDER_SETS = {"realnews": ("realnews/questions.jsonl", "realnews/pages"),
               "newsdump": ("newsdump/questions.jsonl", "newsdump/corpus")}
# our own questions over a benchmark's articles (summaries, questions about the coverage): name -> (file here, the
# benchmark whose corpus, and collection, they use)
OWN_OVER_BENCHMARKS = {"synthesis-realnews": ("synthesis-realnews.jsonl", "realnews"),
                       "coverage-realnews": ("coverage-realnews.jsonl", "realnews"),
                       "coverage-newsdump": ("coverage-newsdump.jsonl", "newsdump"),
                       "yesno-realnews": ("yesno-realnews.jsonl", "realnews"),
                       "multipart-realnews": ("multipart-realnews.jsonl", "realnews"),
                       "paraphrase-realnews": ("paraphrase-realnews.jsonl", "realnews"),
                       "meaning-realnews": ("meaning-realnews.jsonl", "realnews")}


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One point a synthesis answer should make: it is made when every group of match has one of its
    alternatives in the answer (case-insensitive); sources are the articles that state it."""

    point: str
    match: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Question:
    """One eval item: answers are any-of gold strings, sources the gold article ids; a summary, comparison,
    list or timeline question has key points instead of answers."""

    qid: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    answerable: bool
    key_points: tuple[KeyPoint, ...] = ()
    as_of: str = ""   # the day it was asked (a line's "as_of" or "asked_on"): "this week" is relative to it
    yes_no: bool = False   # right only when the answer leads with its gold word (Yes or No)


@dataclass(frozen=True, slots=True)
class Dataset:
    """Questions plus the documents they are asked over (id -> text)."""

    name: str
    questions: tuple[Question, ...]
    documents: dict[str, str] | None   # None: ingest corpus_dir as it is
    corpus_dir: Path | None = None
    collection: str = ""    # the collection it is asked over, when it shares another set's ("" = its name)


def doc_id(text: str, prefix: str) -> str:
    """Stable document id from its text: prefix + 12 hex digits of its SHA-1."""
    return f"{prefix}_{hashlib.sha1(text.encode()).hexdigest()[:12]}"


def _read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON-lines file.

    Raises:
        InputError: unreadable file, or a line that is not a JSON object (with its line number).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"Cannot read question set {path}: {err}") from err
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{number}: not valid JSON ({err.msg})") from err
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: each line must be a JSON object")
        rows.append({**row, "_line": number})
    return rows


def _questions(rows: list[dict], path: Path) -> tuple[Question, ...]:
    """Validate our question format: question (text), answers (list of text), sources (list of article ids),
    answerable (true/false, default true); an answerable question needs answers or sources."""
    out = []
    for i, r in enumerate(rows, 1):
        where = f"{path}:{r.get('_line', i)}"
        question = r.get("question")
        if not isinstance(question, str) or not question.strip():
            raise InputError(f"{where}: 'question' must be a non-empty string")
        for key in ("answers", "sources"):
            value = r.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{where}: '{key}' must be a list of strings")
        as_of = r.get("as_of", r.get("asked_on", ""))
        if not isinstance(as_of, str) or (as_of and iso_date(as_of) is None):
            raise InputError(f"{where}: 'as_of' must be a date (YYYY-MM-DD)")
        answerable = r.get("answerable", True)
        if not isinstance(answerable, bool):
            raise InputError(f"{where}: 'answerable' must be true or false")
        if answerable and not (r.get("answers") or r.get("sources")):
            raise InputError(f"{where}: an answerable question needs 'answers' or 'sources'")
        out.append(Question(str(r.get("id", i)), question, tuple(r.get("answers", ())), tuple(r.get("sources", ())),
                            answerable, _key_points(r.get("key_points", []), where), as_of[:10],
                            bool(r.get("yes_no", False))))
    if not out:
        raise InputError(f"{path}: no questions")
    return tuple(out)


def _key_points(rows: object, where: str) -> tuple[KeyPoint, ...]:
    """Validate key points: [{"point": text, "match": [[alternative, ...], ...], "sources": [id, ...]}]."""
    if not isinstance(rows, list):
        raise InputError(f"{where}: 'key_points' must be a list")
    out = []
    for row in rows:
        row = row if isinstance(row, dict) else {}
        match = row.get("match")
        groups_ok = isinstance(match, list) and bool(match) and all(
            isinstance(g, list) and g and all(isinstance(a, str) for a in g) for g in match)
        if not isinstance(row.get("point"), str) or not groups_ok:
            raise InputError(f"{where}: each key point needs 'point' (text) and 'match' (a list of lists of text)")
        out.append(KeyPoint(row["point"], tuple(tuple(g) for g in match), tuple(row.get("sources", ()))))
    return tuple(out)


def load_jsonl(path: Path, corpus_dir: Path) -> Dataset:
    """A question set in our JSONL format over a folder of articles."""
    return Dataset(path.stem, _questions(_read_jsonl(path), path), None, corpus_dir)


def load_seeds() -> Dataset:
    """The project's own questions over seeds/."""
    return load_jsonl(HERE / "datasets" / "seeds.jsonl", REPO / "seeds")


def load_synthesis() -> Dataset:
    """The project's summary, comparison, list and timeline questions over seeds/, with their key points."""
    return load_jsonl(HERE / "datasets" / "synthesis.jsonl", REPO / "seeds")


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
    if name == "synthesis":
        return load_synthesis()
    if name in ("yesno", "multipart", "meaning"):   # our questions over the seeds, in the seeds' collection
        return replace(load_jsonl(HERE / "datasets" / f"{name}.jsonl", REPO / "seeds"), name=name, collection="seeds")
    if name in OWN_OVER_BENCHMARKS:
        questions, benchmark = OWN_OVER_BENCHMARKS[name]
        corpus = FOLDER_SETS[benchmark][1]
        if not (root / corpus).is_dir():
            raise InputError(f"No {corpus} under {root}: pass --benchmarks DIR")
        return replace(load_jsonl(HERE / "datasets" / questions, root / corpus), name=name, collection=benchmark)
    if name in ("squad2", "rgb", *FOLDER_SETS):
        if not root.is_dir():
            raise InputError(f"No benchmarks folder at {root}: pass --benchmarks DIR")
        if name in FOLDER_SETS:
            questions, corpus = FOLDER_SETS[name]
            if not (root / questions).is_file():
                raise InputError(f"No {name} benchmark at {root / name}: pass --benchmarks DIR")
            return replace(load_jsonl(root / questions, root / corpus), name=name)
        return load_squad2(root) if name == "squad2" else load_rgb(root)
    path = Path(name)
    if corpus_dir is not None and not Path(corpus_dir).is_dir():
        raise InputError(f"No such folder: {corpus_dir} (--corpus)")
    if path.suffix == ".jsonl" and path.is_file():
        return load_jsonl(path, Path(corpus_dir) if corpus_dir else REPO / "seeds")
    names = ("seeds", "synthesis", "yesno", "multipart", "meaning", "squad2", "rgb", *FOLDER_SETS, *OWN_OVER_BENCHMARKS)
    raise InputError(f"Unknown dataset {name!r}: use {', '.join(dict.fromkeys(names))} or a .jsonl file")
