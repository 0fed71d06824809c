"""report.json, report.md and PNG charts (per-metric bars, latency histogram)."""
from __future__ import annotations

import json
from pathlib import Path


def writable_folder(path: Path | str, flag: str = "--out") -> Path:
    """The folder, made with its parents when missing, for the reports and data a run writes.

    Raises:
        InputError: a folder that cannot be made or written (before anything runs, not after).
    """
    import os

    from qa.errors import InputError

    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"Cannot make the folder {folder} ({err.strerror}): pass {flag} a folder you can write"
                         ) from err
    if not os.access(folder, os.W_OK):
        raise InputError(f"Cannot write into {folder}: pass {flag} a folder you can write")
    return folder


ROWS = [("hit@1", ("hit_at_1",)), ("hit@5", ("hit_at_5",)), ("MRR", ("mrr",)),
        ("answer in top 5 passages", ("answer_at_5",)),
        ("answer accuracy", ("answer_accuracy",)), ("citation precision", ("citation_precision",)),
        ("refusal precision", ("refusal", "precision")), ("refusal recall", ("refusal", "recall")),
        ("false refusals", ("refusal", "false_refusal_rate")), ("key-point recall", ("key_point_recall",)),
        ("latency p50 ms", ("latency_ms", "p50")), ("latency p95 ms", ("latency_ms", "p95")),
        ("latency first text p50 ms", ("first_text_ms", "p50"))]


def _get(metrics: dict, path: tuple[str, ...]):
    value = metrics
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else f"{value}"


def format_table(report: dict) -> str:
    """Markdown table: one row per metric, one column per pipeline."""
    names = list(report["pipelines"])
    lines = [f"| metric ({report['dataset']}) | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    for label, path in ROWS:
        cells = [_fmt(_get(report["pipelines"][n]["metrics"], path)) for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_types(report: dict) -> list[str]:
    """Markdown lines: accuracy and refusals of each pipeline per asked answer type."""
    names = list(report["pipelines"])
    types = report["pipelines"]["newsqa"]["metrics"].get("by_answer_type", {})
    if not types:
        return []
    lines = ["## By answer type", "",
             "| type | questions | " + " | ".join(f"{n} accuracy | {n} refusal recall" for n in names) + " |",
             "|---|---|" + "---|---|" * len(names)]
    for kind, row in types.items():
        cells = []
        for n in names:
            other = report["pipelines"][n]["metrics"].get("by_answer_type", {}).get(kind, {})
            cells += [_fmt(other.get("answer_accuracy")), _fmt(other.get("refusal_recall"))]
        lines.append(f"| {kind} | {row['questions']} | " + " | ".join(cells) + " |")
    return lines


def format_kinds(report: dict) -> list[str]:
    """Markdown lines: accuracy, refusals and key points per way newsqa answered the questions."""
    return _format_groups(report, "by_kind", "## By kind (how newsqa answered)", "kind")


def format_gold_ages(report: dict) -> list[str]:
    """Markdown lines: the same per age of a dated question's labelled sources (recent: one came out in the
    month before the day asked; older: none did, one earlier; later: all after it)."""
    return _format_groups(report, "by_gold_age", "## By the age of the labelled sources (dated questions)",
                          "sources")


def _format_groups(report: dict, key: str, heading: str, label: str) -> list[str]:
    groups = report["pipelines"]["newsqa"]["metrics"].get(key, {})
    if not groups:
        return []
    lines = [heading, "",
             f"| {label} | questions | answerable | accuracy | refusal recall | false refusals | key-point recall |",
             "|---|---|---|---|---|---|---|"]
    for name, row in groups.items():
        lines.append(f"| {name} | {row['questions']} | {row['answerable']} | {_fmt(row.get('answer_accuracy'))} | "
                     f"{_fmt(row.get('refusal_recall'))} | {_fmt(row.get('false_refusal_rate'))} | "
                     f"{_fmt(row.get('key_point_recall'))} |")
    return lines


def write_report(report: dict, out: Path) -> None:
    """Write every artefact of one evaluation into out."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    names = list(report["pipelines"])
    m = report["pipelines"]["newsqa"]["metrics"]
    md = [f"# Evaluation: {report['dataset']}", "",
          f"{m['questions']} questions ({m['answerable']} answerable, {m['unanswerable']} unanswerable). "
          f"Ingest: {report['ingest']['summary']}", ""]
    md += [f"- **{n}**: {report['pipelines'][n]['description']}" for n in names]
    md += ["", format_table(report), "", "![metrics](metrics.png)", "", "![latency](latency.png)", ""]
    md += format_types(report) + [""] + format_kinds(report) + [""] + format_gold_ages(report) + [""]
    curve = report.get("refusal_curve") or []
    if curve:
        md += ["## Refusal trade-off (refusal score cut → unanswerable refused, answerable refused)", "",
               "| cut | refusal recall | false refusals |", "|---|---|---|"]
        step = max(1, len(curve) // 12)
        md += [f"| {c['threshold']:+.3f} | {c['refusal_recall']:.3f} | {c['false_refusal_rate']:.3f} |"
               for c in curve[::step]] + [""]
    wrong = [q for q in report["questions"] if q["answerable"] and not q["correct"]][:15]
    if wrong:
        md += ["## Answerable questions answered wrong or refused (first 15)", ""]
        md += [f"- {q['question']} → {'(refused)' if q['refused'] else q['answer'][:160]}" for q in wrong]
    (out / "report.md").write_text("\n".join(md) + "\n")

    labels = [label for label, path in ROWS if not path[0].startswith("latency")]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [_get(report["pipelines"][name]["metrics"], path) or 0.0
                  for label, path in ROWS if not path[0].startswith("latency")]
        ax.bar([x + i * width for x in range(len(labels))], values, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(labels))], labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{report['dataset']}: scores")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "metrics.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist([q["latency_ms"] for q in report["questions"]], bins=30, label="newsqa")
    if "stock_questions" in report:
        ax.hist([q["latency_ms"] for q in report["stock_questions"]], bins=30, alpha=0.6, label="stock")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title(f"{report['dataset']}: latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)
