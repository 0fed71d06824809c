"""The `qa` command: ingest, ask, stats, config, prepare, ui, serve, eval, bench. Thin: it parses, builds, prints."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from qa.errors import InputError, QAError


def _settings(args: argparse.Namespace) -> Any:
    """Settings from QA_* env, overridden by the flags that were given."""
    from qa.settings import Settings

    fields = Settings.model_fields
    overrides = {k: v for k, v in vars(args).items() if k in fields and v is not None}
    if getattr(args, "field", None):
        overrides["dump_fields"] = ",".join(args.field)
    return Settings(**overrides)


def _pipeline(args: argparse.Namespace) -> Any:
    from qa.pipeline import NewsQA

    return NewsQA(_settings(args))


def _cmd_ingest(args: argparse.Namespace) -> int:
    report = _pipeline(args).ingest(Path(args.folder), prune=args.prune, progress=not args.quiet)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), indent=2))
    else:
        print(report.summary())
        for skipped in report.skipped:
            print(f"  skipped {skipped.path}: {skipped.reason}")
        for warning in report.warnings:
            print(f"  warning {warning}")
    return 1 if report.skipped else 0  # every good article is in; the exit code says not all files were


def _cmd_remove(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    for article_id in args.article_ids:
        removed = pipeline.remove(article_id)
        print(f"Removed {article_id} ({removed} chunks) from {pipeline.settings.collection!r}")
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    from ui.render import answer_to_text, explanation_to_text

    if not args.question.strip():  # fail before the model loads
        raise InputError('The question is empty: ask something, e.g. qa ask "Who invited Putin?"')
    pipeline = _pipeline(args)
    if args.json or args.no_stream or not sys.stdout.isatty():
        answer = pipeline.ask(args.question, filters=_filters(args))
        if args.json:
            data = answer.to_dict()
            if not args.explain:
                data.pop("explanation", None)
            print(json.dumps(data, indent=2, ensure_ascii=False))
            return 0
        print(answer_to_text(answer))
    else:
        answer = _stream_to_terminal(pipeline, args.question, _filters(args))
    if args.explain and answer.explanation is not None:
        print()
        print(explanation_to_text(answer))
    return 0


def _filters(args: argparse.Namespace) -> Any:
    """The date and outlet filter of --since/--until/--outlet (None without them)."""
    from qa.filters import make_filter

    return make_filter(args.since, args.until, args.outlet)


def _stream_to_terminal(pipeline: Any, question: str, filters: Any = None) -> Any:
    """Print the answer as it is written; then the checked answer (markers renumbered) and its sources."""
    from qa.models import Answer
    from ui.render import answer_to_text

    streamed: list[str] = []
    for piece in pipeline.stream(question, filters=filters):
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


def _cmd_prepare(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder
    from qa.llm.factory import backend
    from qa.llm.gguf import resolve_gguf

    s = _settings(args)
    load_embedder(s.embed_backend, s.embed_model or None, s.embed_batch, s.models_dir)
    if backend(s) == "llamacpp":
        resolve_gguf(s.llm_model, s.models_dir)
    print(f"Models ready in {s.models_dir}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    problems = _pipeline(args).check(repair=args.repair)
    for line in problems:
        print(line)
    if not problems:
        print("The manifest, Chroma and BM25 agree.")
    elif args.repair:
        print(f"Repaired {len(problems)} problem(s); run `qa ingest` on the folder to redo unfinished articles.")
    return 1 if problems and not args.repair else 0


def _cmd_stats(args: argparse.Namespace) -> int:
    stats = _pipeline(args).stats()
    print(json.dumps(stats) if args.json else "\n".join(f"{k}: {v}" for k, v in stats.items()))
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    values = _settings(args).masked()
    print(json.dumps(values, indent=2) if args.json else "\n".join(f"{k} = {v}" for k, v in values.items()))
    return 0


def _cmd_ui(args: argparse.Namespace) -> int:
    from ui.launch import launch

    launch(_settings(args), no_auth=args.no_auth)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from ui.serve import serve

    serve(_settings(args), no_auth=args.no_auth)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from evals.runner import run_cli

    return run_cli(_settings(args), args)


def _cmd_bench(args: argparse.Namespace) -> int:
    from evals.bench import run_bench

    return run_bench(_settings(args), args)


def _add_remaining_settings(group: argparse.ArgumentParser, skip: set[str], *defined: argparse.ArgumentParser) -> None:
    """A --flag for every setting the parsers do not offer yet (--min-support, --fusion, ...): every knob
    is a flag as well as a QA_* variable; pydantic checks the values."""
    from qa.settings import Settings

    taken = {a.dest for parser in defined for a in parser._actions}
    for name, field in Settings.model_fields.items():
        if name not in taken and name not in skip:
            group.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="VALUE",
                               help=f"{field.description} (QA_{name.upper()})")


def build_parser(settings_flags: bool = True) -> argparse.ArgumentParser:
    """The argument parser (also used by the tests); settings_flags=False leaves out the per-setting
    flags of the subcommands (and the pydantic import they need) for a bare `qa --help`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", dest="data_dir", type=Path, help="index folder (QA_DATA_DIR, default .qa)")
    common.add_argument("--collection", help="collection name (QA_COLLECTION, default articles)")
    common.add_argument("--chroma-url", dest="chroma_url", help="Chroma server URL (QA_CHROMA_URL)")
    answering = argparse.ArgumentParser(add_help=False)
    answering.add_argument("--top-k", dest="top_k", type=int, help="passages to retrieve (QA_TOP_K)")
    answering.add_argument("--answerer", help="auto | extractive | judged | reader (QA_ANSWERER; auto: judged when "
                           "a model is installed)")
    answering.add_argument("--llm", help="model backend: auto | extractive (none) | llamacpp | ollama | openai "
                           "(QA_LLM)")
    answering.add_argument("--llm-model", dest="llm_model", help="model name or GGUF path (QA_LLM_MODEL)")
    answering.add_argument("--llm-base-url", dest="llm_base_url", help="server URL (QA_LLM_BASE_URL)")
    answering.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    answering.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")
    answering.add_argument("--outlet", action="append", help="only articles of this outlet (repeatable)")

    tuning = argparse.ArgumentParser(add_help=False)
    if settings_flags:
        _add_remaining_settings(tuning, {"host", "port", "ui_user", "ui_password", "api_token"}, common, answering)

    parser = argparse.ArgumentParser(prog="qa", description="Answers about news articles, with citations.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common, tuning], help="add or update the articles of a folder")
    p.add_argument("folder", help="folder (searched recursively) or file: .txt/.md/.html articles, .jsonl/.json/.csv "
                   "dumps of one article per record")
    p.add_argument("--prune", action="store_true", help="remove stored articles whose files are gone")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--field", action="append", metavar="NAME=COLUMN", help="a dump's field under another name, "
                   "e.g. --field text=content --field date=ts (QA_DUMP_FIELDS)")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("ask", parents=[common, answering, tuning], help="answer a question with citations")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON (waits for the whole answer)")
    p.add_argument("--explain", action="store_true",
                   help="show why: the best sentences with each evidence signal's contribution, the threshold")
    p.add_argument("--no-stream", dest="no_stream", action="store_true", help="print the answer when it is complete")
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser("remove", parents=[common, tuning], help="remove articles by id from the index")
    p.add_argument("article_ids", nargs="+", metavar="ID", help="article id (its file name without extension)")
    p.set_defaults(func=_cmd_remove)

    p = sub.add_parser("prepare", parents=[common, answering, tuning],
                       help="build the models once per user (int8 ONNX export, joined GGUF) into QA_CACHE_DIR")
    p.set_defaults(func=_cmd_prepare)

    p = sub.add_parser("check", parents=[common, tuning], help="check that manifest, Chroma and BM25 agree")
    p.add_argument("--repair", action="store_true", help="remove unfinished chunks, forget incomplete articles")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("stats", parents=[common, tuning], help="articles and chunks in a collection")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_stats)

    p = sub.add_parser("config", parents=[common, answering, tuning], help="print the effective settings")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_config)

    p = sub.add_parser("ui", parents=[common, answering, tuning], help="open the chat UI")
    p.add_argument("--host", help="bind address (QA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (QA_PORT, default 7860)")
    p.add_argument("--no-auth", dest="no_auth", action="store_true",
                   help="serve beyond loopback without QA_UI_USER/QA_UI_PASSWORD (not recommended)")
    p.set_defaults(func=_cmd_ui)

    p = sub.add_parser("serve", parents=[common, answering, tuning],
                       help="HTTP API (REST, OpenAI-compatible) with the chat UI at /ui")
    p.add_argument("--host", help="bind address (QA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (QA_PORT, default 7860)")
    p.add_argument("--no-auth", dest="no_auth", action="store_true",
                   help="serve beyond loopback without QA_API_TOKEN and the UI login (not recommended)")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("eval", parents=[common, answering, tuning], help="score answers on a question set")
    p.add_argument("--dataset", default="seeds", help="seeds | squad2 | rgb | PATH.jsonl (default seeds)")
    p.add_argument("--corpus", type=Path, help="folder of articles a PATH.jsonl question set is asked over "
                   "(ingested into its own collection, eval-NAME; default seeds/)")
    p.add_argument("--min-accuracy", dest="min_accuracy", type=float, help="exit 1 when answer accuracy is lower")
    p.add_argument("--min-hit-at-5", dest="min_hit_at_5", type=float, help="exit 1 when hit@5 is lower")
    p.add_argument("--benchmarks", type=Path, help="folder of the outside benchmarks (default ../shared/benchmarks)")
    p.add_argument("--out", type=Path, default=Path("eval-out"), help="report folder (default eval-out)")
    p.add_argument("--compare", action="store_true", help="also run the stock llama-index pipeline")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--sample", type=int, help="a fixed, balanced sample of N questions (N/2 answerable, N/2 not)")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("bench", parents=[common, answering, tuning], help="time ingest and questions, print numbers")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--corpus", type=Path, help="a folder of articles (its headlines are the questions)")
    source.add_argument("--dataset", default="squad2", help="seeds | squad2 | rgb | PATH.jsonl (default squad2)")
    p.add_argument("--benchmarks", type=Path, help="folder of the outside benchmarks (default ../shared/benchmarks)")
    p.add_argument("--scale", default="1", help="corpus multiples to measure, e.g. 1,4,16 (default 1)")
    p.add_argument("--questions", type=int, default=100, help="warm questions to time (default 100)")
    p.add_argument("--cold", type=int, default=5, help="cold `qa ask` processes to time (default 5)")
    p.add_argument("--threads", default="1,4,16", help="thread counts for the throughput figure ('' for none)")
    p.add_argument("--no-peers", dest="peers", action="store_false", help="skip the sentence-transformers and "
                   "stock llama-index runs")
    p.add_argument("--no-first-run", dest="first_run", action="store_false", help="skip the ingest with an empty "
                   "model cache (which exports the embedding model inside the timed run)")
    p.add_argument("--llm-questions", dest="llm_questions", type=int, default=20,
                   help="questions timed through the model's answerer (judged by default), beside extractive, when "
                   "there is a model (default 20; 0 for none)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--out", type=Path, default=Path("bench-out"), help="folder for bench.json and bench.png")
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `qa` console script."""
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(settings_flags=any(not w.startswith("-") for w in words)).parse_args(argv)
    try:
        code = args.func(args)
        if argv is None and args.func in _FAST_EXIT:
            # read-only commands: skip seconds of interpreter and Chroma teardown once the output is out
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    except QAError as err:
        print(f"qa: error: {' '.join(str(err).split())}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa ask ... --json | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:
        from pydantic import ValidationError

        if isinstance(err, ValidationError):
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
            print(f"qa: error: bad setting: {problems}", file=sys.stderr)
            return 2
        raise


_FAST_EXIT = (_cmd_ask,)

if __name__ == "__main__":
    sys.exit(main())
