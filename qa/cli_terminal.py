"""The terminal's own commands beside `qa ask`: `qa chat` (a conversation, follow-ups and all), `qa search`
(passages without an answer), `qa list` (the library) and `qa show ID` (one article), and the streamed printing
they share with `qa ask`."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any

from qa.errors import QAError

HELLO = ("Ask about your articles; a follow-up may lean on the last answer (\"when was that?\"). "
         "/new starts over, Ctrl-D ends.")


def print_streamed(pieces: Iterable[Any]) -> Any:
    """Print an answer as it is written (a status line on stderr until the first text); then the checked answer
    (markers renumbered) and its sources. Returns the Answer."""
    from qa.models import Answer
    from qa.waiting import Waiting
    from ui.render import answer_to_text

    streamed: list[str] = []
    with Waiting() as waiting:
        for piece in pieces:
            waiting.stop()
            if isinstance(piece, Answer):
                if "".join(streamed).strip() == piece.text:
                    print("\n" + answer_to_text(piece).removeprefix(piece.text).lstrip("\n") if piece.citations
                          or piece.warnings else "", flush=True)
                else:
                    print("\n\n" + answer_to_text(piece), flush=True)
                return piece
            streamed.append(piece)
            print(piece, end="", flush=True)
    raise RuntimeError("the answerer ended without an Answer")


def cmd_chat(pipeline: Any, args: argparse.Namespace, filters: Any) -> int:
    """A conversation: each line of stdin a question, answered with the earlier turns as context (as the chat UI and
    the API's history do). On a terminal it prompts and streams; piped, it prints each answer whole (--json: one
    Answer per line). A bad question is said and the conversation goes on."""
    from ui.render import answer_to_text

    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not args.json
    history: list[tuple[str, str]] = []
    if interactive:
        print(HELLO)
    while True:
        try:
            line = input("\n> " if interactive else "")
        except EOFError:
            break
        question = line.strip()
        if not question:
            continue
        if question in ("/new", "/reset"):
            history.clear()
            print("(a new conversation)", flush=True)
            continue
        try:
            if interactive:
                answer = print_streamed(pipeline.chat_stream(history, question, filters=filters, as_of=args.as_of))
            else:
                answer = pipeline.chat(history, question, filters=filters, as_of=args.as_of)
                shown = json.dumps(answer_json(answer), ensure_ascii=False) if args.json else answer_to_text(answer)
                print(shown if args.json else shown + "\n", flush=True)
        except QAError as err:
            print(f"qa: error: {' '.join(str(err).split())}", file=sys.stderr, flush=True)
            continue
        history.append((question, answer.text))
    return 0


def answer_json(answer: Any, explain: bool = False) -> dict[str, Any]:
    """An Answer as `--json` prints it: without its explanation unless --explain."""
    data = answer.to_dict()
    if not explain:
        data.pop("explanation", None)
    return data


def cmd_search(pipeline: Any, args: argparse.Namespace, filters: Any) -> int:
    """The passages a query finds, best first, each with its best sentence; no answerer, no model (--json: the
    Match objects)."""
    from ui.render import matches_to_text

    found = pipeline.search(args.query, args.top_k, filters=filters, as_of=args.as_of)
    print(json.dumps([m.to_dict() for m in found], indent=2, ensure_ascii=False) if args.json
          else matches_to_text(found))
    return 0


def cmd_list(pipeline: Any, args: argparse.Namespace) -> int:
    """The stored articles, newest first: published, outlet, id, title (--json: every field)."""
    rows = sorted(pipeline.articles(), key=lambda a: (a.get("published") or "", a["id"]), reverse=True)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(f"No articles in {pipeline.settings.collection!r} yet: qa ingest FOLDER|URL adds some.")
        return 0
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        when = (r.get("published") or "")[:10] or "-" * 10
        outlet = (r.get("outlet") or "")[:24]
        print(f"{when}  {outlet:<24}  {r['id']:<{width}}  {r['title']}")
    print(f"{len(rows)} article(s)")
    return 0


def cmd_show(pipeline: Any, args: argparse.Namespace) -> int:
    """One article's title and text as stored (--json: with its library row)."""
    title, text = pipeline.article(args.article_id)
    if args.json:
        row = next((r for r in pipeline.articles() if r["id"] == args.article_id), {})
        print(json.dumps({**row, "id": args.article_id, "title": title, "text": text}, indent=2, ensure_ascii=False))
    else:
        print(f"{title}\n\n{text}")
    return 0
