"""A news dump for measuring ingest: the squad2 paragraphs repeated under new ids as JSON lines, with made-up
but deterministic dates and outlets.

Run: python -m evals.make_dump OUT.jsonl [--records 10000]; then `qa ingest OUT.jsonl` (twice: the second
changes nothing).
"""
from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

from evals.datasets import DEFAULT_BENCHMARKS, load_squad2

OUTLETS = ("Asia Brief", "Daily Lantern", "Harbour Post", "Council News", "Wire Service")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS)
    args = parser.parse_args()
    texts = list(load_squad2(args.benchmarks).documents.values())
    start = date(2023, 1, 1)
    with open(args.out, "w", encoding="utf-8") as out:
        for n in range(args.records):
            out.write(json.dumps({"id": f"r{n:05d}", "text": texts[n % len(texts)],
                                  "published_at": (start + timedelta(days=n % 700)).isoformat(),
                                  "source": OUTLETS[n % len(OUTLETS)]}) + "\n")
    print(f"wrote {args.records} records to {args.out}")


if __name__ == "__main__":
    main()
