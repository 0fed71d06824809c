"""The `qa` command: ingest, ask, stats, config, prepare, ui, serve, eval, bench. Thin: it parses, builds, prints."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from qa.cli_parser import build_parser
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
    report = _pipeline(args).ingest(args.folder, prune=args.prune, progress=not args.quiet)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), indent=2))
    else:
        print("\n".join(report.lines()))
    return 1 if report.skipped else 0  # every good article is in; the exit code says not all files were


def _cmd_watch(args: argparse.Namespace) -> int:
    import signal
    import threading

    from index.web import PRUNE_NEEDS_FOLDER, expand_lists, is_url
    from qa.watch import follow, parse_every, watch

    stop = threading.Event()   # Ctrl-C or a service manager's SIGTERM: the ingest under way finishes, then it stops
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    say = lambda line: print(line, flush=True)   # noqa: E731
    sources = expand_lists(args.folder)   # an OPML subscription list: the feeds it names
    urls = [str(source).strip() for source in sources if is_url(source)]
    if urls:
        if args.prune:
            raise InputError(PRUNE_NEEDS_FOLDER)
        if len(urls) < len(sources):
            raise InputError("qa watch follows URLs or watches one folder, not both at once: run one of each")
        follow(_pipeline(args), urls, every=parse_every(args.every), say=say, stop=stop)
    elif len(sources) > 1:
        raise InputError("qa watch watches one folder (its subfolders too): name their common folder")
    else:
        watch(_pipeline(args), Path(sources[0]), prune=args.prune, say=say, stop=stop)
    print("Stopped watching", flush=True)
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    for article_id, removed in pipeline.remove_many(args.article_ids).items():
        print(f"Removed {article_id} ({removed} chunks) from {pipeline.settings.collection!r}")
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    from qa.cli_terminal import answer_json, print_streamed
    from ui.render import answer_to_text, explanation_to_text

    if not args.question.strip():  # fail before the model loads
        raise InputError('The question is empty: ask something, e.g. qa ask "Who invited Putin?"')
    pipeline = _pipeline(args)
    if args.json or args.no_stream or not sys.stdout.isatty():
        answer = pipeline.ask(args.question, filters=_filters(args), as_of=args.as_of)
        if args.json:
            print(json.dumps(answer_json(answer, args.explain), indent=2, ensure_ascii=False))
            return 0
        print(answer_to_text(answer))
    else:
        answer = print_streamed(pipeline.stream(args.question, filters=_filters(args), as_of=args.as_of))
    if args.explain and answer.explanation is not None:
        print()
        print(explanation_to_text(answer))
    return 0


def _filters(args: argparse.Namespace) -> Any:
    """The date and outlet filter of --since/--until/--outlet (None without them)."""
    from qa.filters import make_filter

    return make_filter(args.since, args.until, args.outlet, flags="--", as_of=getattr(args, "as_of", None))


def _cmd_prepare(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder
    from qa.llm.amx import amx_runs
    from qa.llm.factory import backend, llamacpp_setup
    from qa.llm.gguf import resolve_gguf
    from qa.llm.repack import time_repack

    s = _settings(args)
    load_embedder(s.embed_backend, s.embed_model or None, s.embed_batch, s.models_dir)
    if backend(s) == "llamacpp":
        timed = ""
        if s.llm_extra_buffers == "auto" and not amx_runs(s.models_dir):
            timed = f" ({time_repack(s.models_dir, resolve_gguf(s.llm_model, s.models_dir))[1]}, once on this CPU)"
        repack, eight_bit = llamacpp_setup(s)
        path = resolve_gguf(s.llm_model, s.models_dir, eight_bit=eight_bit)
        print(f"llama.cpp runs {path.name} with the weight repack {'on' if repack else 'off'}{timed}")
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
    if args.chunks:
        from evals.grow import run_grow

        return run_grow(_settings(args), args)
    from evals.bench import run_bench

    return run_bench(_settings(args), args)


def _cmd_chat(args: argparse.Namespace) -> int:
    from qa.cli_terminal import cmd_chat

    filters = _filters(args)   # a bad bound fails before the model loads
    return cmd_chat(_pipeline(args), args, filters)


def _cmd_search(args: argparse.Namespace) -> int:
    from qa.cli_terminal import cmd_search

    if not args.query.strip():
        raise InputError('The query is empty: search for something, e.g. qa search "Putin Pyongyang"')
    return cmd_search(_pipeline(args), args, _filters(args))


def _cmd_list(args: argparse.Namespace) -> int:
    from qa.cli_terminal import cmd_list

    return cmd_list(_pipeline(args), args)


def _cmd_show(args: argparse.Namespace) -> int:
    from qa.cli_terminal import cmd_show

    return cmd_show(_pipeline(args), args)


COMMANDS = {"ingest": _cmd_ingest, "watch": _cmd_watch, "ask": _cmd_ask, "chat": _cmd_chat, "search": _cmd_search,
            "list": _cmd_list, "show": _cmd_show, "remove": _cmd_remove, "prepare": _cmd_prepare, "check": _cmd_check,
            "stats": _cmd_stats, "config": _cmd_config, "ui": _cmd_ui, "serve": _cmd_serve, "eval": _cmd_eval,
            "bench": _cmd_bench}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `qa` console script."""
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(settings_flags=any(not w.startswith("-") for w in words)).parse_args(argv)
    try:
        handler = COMMANDS[args.command]
        code = handler(args)
        if argv is None and handler in _FAST_EXIT and not _ray_running():
            # skip the interpreter's and Chroma's teardown once the output is out (0.55 s after an ingest of 472
            # chunks): each change is committed when its command returns, and what was not would be finished by the
            # next writer anyway (the journal and manifest); a local Ray instance is left to shut down as usual
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


# read-only, or (ingest, remove, watch) returned with the last change complete
_FAST_EXIT = (_cmd_ask, _cmd_chat, _cmd_list, _cmd_show, _cmd_watch, _cmd_ingest, _cmd_remove)


def _ray_running() -> bool:
    """Whether this process started or joined Ray (ray.shutdown must run at exit, or a local instance lingers)."""
    ray = sys.modules.get("ray")
    return ray is not None and bool(getattr(ray, "is_initialized", lambda: False)())


if __name__ == "__main__":
    sys.exit(main())
