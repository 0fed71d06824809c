"""The `qa` command's arguments: each subcommand's own, and a flag for every remaining setting."""
from __future__ import annotations

import argparse
from pathlib import Path


def _add_remaining_settings(group: argparse.ArgumentParser, skip: set[str],
                            *defined: argparse.ArgumentParser) -> None:
    """A --flag for every setting the parsers do not offer yet (--min-support, --fusion, ...): every knob
    is a flag as well as a QA_* variable; pydantic checks the values."""
    from qa.settings import Settings

    taken = {a.dest for parser in defined for a in parser._actions}
    for name, field in Settings.model_fields.items():
        if name not in taken and name not in skip:
            group.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="VALUE",
                               help=f"{field.description} (QA_{name.upper()})".replace("%", "%%"))


def build_parser(settings_flags: bool = True) -> argparse.ArgumentParser:
    """The argument parser (also used by the tests); settings_flags=False leaves out the per-setting
    flags of the subcommands (and the pydantic import they need) for a bare `qa --help`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", dest="data_dir", type=Path, help="index folder (QA_DATA_DIR, default .qa)")
    common.add_argument("--collection", help="collection name (QA_COLLECTION, default articles)")
    common.add_argument("--chroma-url", dest="chroma_url", help="Chroma server URL (QA_CHROMA_URL)")
    filtering = argparse.ArgumentParser(add_help=False)
    filtering.add_argument("--top-k", dest="top_k", type=int, help="passages to retrieve (QA_TOP_K)")
    filtering.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD, a year, or "
                           "time words as of --as-of: \"yesterday\", \"last week\", \"3 days ago\")")
    filtering.add_argument("--until", help="only articles published on or before this date (the same forms; "
                           "\"last month\" reaches its last day)")
    filtering.add_argument("--outlet", action="append", help="only articles of this outlet (repeatable)")
    filtering.add_argument("--as-of", dest="as_of", help="the day the question is asked (YYYY-MM-DD, default today): "
                           "time words such as \"this week\" are read relative to it")
    answering = argparse.ArgumentParser(add_help=False, parents=[filtering])
    answering.add_argument("--answerer", help="auto | extractive | judged | reader (QA_ANSWERER; auto: judged when "
                           "a model is installed)")
    answering.add_argument("--llm", help="model backend: auto | extractive (none) | llamacpp | ollama | openai "
                           "(QA_LLM)")
    answering.add_argument("--llm-model", dest="llm_model", help="model name or GGUF path (QA_LLM_MODEL)")
    answering.add_argument("--llm-base-url", dest="llm_base_url", help="server URL (QA_LLM_BASE_URL)")

    tuning = argparse.ArgumentParser(add_help=False)
    if settings_flags:
        _add_remaining_settings(tuning, {"host", "port", "ui_user", "ui_password", "api_token", "ray"}, common,
                                answering)

    parser = argparse.ArgumentParser(prog="qa", description="Answers about news articles, with citations.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common, tuning], help="add or update the articles of folders, files or "
                       "URLs")
    p.add_argument("folder", nargs="+", metavar="SOURCE", help="folder (searched recursively) or file: .txt/.md/.html "
                   "articles, .jsonl/.json/.csv dumps of one article per record, .rss/.atom/.xml feeds; or the "
                   "http(s) URL of a news page, feed or dump, fetched once; several are one ingest")
    p.add_argument("--prune", action="store_true", help="remove stored articles that the folders no longer hold "
                   "(folders and files only)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--field", action="append", metavar="NAME=COLUMN", help="a dump's field under another name, "
                   "e.g. --field text=content --field date=ts (QA_DUMP_FIELDS)")
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS", help="embed on Ray: a local instance, or "
                   "the cluster at ADDRESS (QA_RAY); this process stays the one writer")

    p = sub.add_parser("watch", parents=[common, tuning], help="ingest a folder, then every file that arrives in it "
                       "or changes; or feeds by their URLs, fetched again every 15 minutes; until Ctrl-C")
    p.add_argument("folder", nargs="+", metavar="FOLDER|URL", help="the folder to watch (recursively), or the http(s) "
                   "URLs of feeds to follow")
    p.add_argument("--prune", action="store_true", help="also remove the articles of deleted files (a folder only)")
    p.add_argument("--every", default="15m", help="how often a URL is fetched again: seconds, or 15m, 1h "
                   "(default 15m)")

    p = sub.add_parser("ask", parents=[common, answering, tuning], help="answer a question with citations")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON (waits for the whole answer)")
    p.add_argument("--explain", action="store_true",
                   help="show why: the best sentences with each evidence signal's contribution, the threshold")
    p.add_argument("--no-stream", dest="no_stream", action="store_true", help="print the answer when it is complete")

    p = sub.add_parser("chat", parents=[common, answering, tuning], help="a conversation on the terminal: each line a "
                       "question, follow-ups lean on the earlier answers")
    p.add_argument("--json", action="store_true", help="one Answer per line as JSON (for a program on the pipe)")

    p = sub.add_parser("search", parents=[common, filtering, tuning], help="the passages a question finds, each with "
                       "its best sentence, and no answer (no model: instant)")
    p.add_argument("query")
    p.add_argument("--json", action="store_true", help="print the matches as JSON")

    p = sub.add_parser("list", parents=[common, tuning], help="the stored articles, newest first")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", parents=[common, tuning], help="one stored article's title and text")
    p.add_argument("article_id", metavar="ID")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("remove", parents=[common, tuning], help="remove articles by id from the index")
    p.add_argument("article_ids", nargs="+", metavar="ID", help="article id (its file name without extension)")

    p = sub.add_parser("prepare", parents=[common, answering, tuning],
                       help="build the models once per user (int8 ONNX export, joined GGUF) into QA_CACHE_DIR")

    p = sub.add_parser("check", parents=[common, tuning], help="check that manifest, Chroma and BM25 agree")
    p.add_argument("--repair", action="store_true", help="remove unfinished chunks, forget incomplete articles")

    p = sub.add_parser("stats", parents=[common, tuning], help="articles and chunks in a collection")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("config", parents=[common, answering, tuning], help="print the effective settings")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("ui", parents=[common, answering, tuning], help="open the chat UI")
    p.add_argument("--host", help="bind address (QA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (QA_PORT, default 7860)")
    p.add_argument("--no-auth", dest="no_auth", action="store_true",
                   help="serve beyond loopback without QA_UI_USER/QA_UI_PASSWORD (not recommended)")

    p = sub.add_parser("serve", parents=[common, answering, tuning],
                       help="HTTP API (REST, OpenAI-compatible) with the chat UI at /ui")
    p.add_argument("--host", help="bind address (QA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (QA_PORT, default 7860)")
    p.add_argument("--no-auth", dest="no_auth", action="store_true",
                   help="serve beyond loopback without QA_API_TOKEN and the UI login (not recommended)")

    p = sub.add_parser("eval", parents=[common, answering, tuning], help="score answers on a question set")
    p.add_argument("--dataset", default="seeds", help="seeds | squad2 | rgb | PATH.jsonl (default seeds)")
    p.add_argument("--corpus", type=Path, help="folder of articles a PATH.jsonl question set is asked over "
                   "(ingested into its own collection, eval-NAME; default seeds/)")
    p.add_argument("--min-accuracy", dest="min_accuracy", type=float, help="exit 1 when answer accuracy is lower")
    p.add_argument("--min-hit-at-5", dest="min_hit_at_5", type=float, help="exit 1 when hit@5 is lower")
    p.add_argument("--benchmarks", type=Path, help="folder of the outside benchmarks (default ../shared/benchmarks)")
    p.add_argument("--out", type=Path, default=Path("eval-out"), help="report folder (default eval-out)")
    p.add_argument("--compare", action="store_true", help="also run the stock llama-index pipeline")
    p.add_argument("--undated", action="store_true", help="ask every question as of today, ignoring the set's "
                   "as_of/asked_on (to measure what the day asked adds)")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--sample", type=int, help="a fixed, balanced sample of N questions (N/2 answerable, N/2 not)")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")

    p = sub.add_parser("bench", parents=[common, answering, tuning], help="time ingest and questions, print numbers")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--corpus", type=Path, help="a folder of articles (its headlines are the questions)")
    source.add_argument("--dataset", default="squad2", help="seeds | squad2 | rgb | PATH.jsonl (default squad2)")
    p.add_argument("--benchmarks", type=Path, help="folder of the outside benchmarks (default ../shared/benchmarks)")
    p.add_argument("--scale", default="1", help="corpus multiples to measure, e.g. 1,4,16 (default 1)")
    p.add_argument("--chunks", help="instead: grow the archive to these sizes, e.g. 100k,1m (vectors of copied "
                   "text reused) and measure asks, adding and removing 10 articles, memory, disk")
    p.add_argument("--scratch", type=Path, help="where --chunks builds its archive (default the temp folder)")
    p.add_argument("--keep", action="store_true", help="with --chunks: keep the grown archive (its data dir is "
                   "printed) to time or profile changes at that size later")
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
    return parser
