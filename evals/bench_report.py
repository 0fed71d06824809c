"""`qa bench` output: the table on the terminal and the growth chart (PNG)."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def print_table(report: dict[str, Any]) -> None:
    """One block per scale, then the peers and throughput measured at the first scale."""
    print(f"corpus {report['corpus']} ({report['articles']} articles), embeddings {report['embed_backend']}, "
          f"Chroma {report['chroma']}, {report['cpus']} CPUs")
    for row in report["scales"]:
        ingest, cold, warm = row["ingest"], row["cold_ask"], row["warm"]
        print(f"\nx{row['scale']}: {row['articles']} articles, {row['chunks']} chunks")
        print(f"  ingest (qa ingest, fresh process)  {ingest['wall_s']:.1f} s, {ingest['chunks_per_s']:.0f} "
              f"chunks/s ({ingest['ms_per_chunk']:.1f} ms per chunk), peak RSS {ingest['peak_rss_mib']} MiB")
        if "first_run_ingest" in row:
            first = row["first_run_ingest"]
            print(f"  ingest, empty model cache          {first['wall_s']:.1f} s ({first['ms_per_chunk']:.1f} ms per "
                  f"chunk, the model export included), peak RSS {first['peak_rss_mib']} MiB")
        print(f"  cold qa ask (median of {cold['runs']})       {cold['median_s']:.2f} s, "
              f"peak RSS {cold['peak_rss_mib']} MiB")
        print(f"  warm qa.ask ({warm['questions']} questions)     p50 {warm['p50']:.1f} ms, "
              f"p95 {warm['p95']:.1f} ms, p99 {warm['p99']:.1f} ms")
        stages = ", ".join(f"{k} {v:.1f}" for k, v in warm["stages_p50_ms"].items())
        print(f"  warm stages p50 (ms)               {stages}")
        if "throughput_qps" in row:
            print("  throughput (questions/s)           " + ", ".join(
                f"{n} thread{'s' if n != '1' else ''} {q}" for n, q in row["throughput_qps"].items()))
        if "peers" in row:
            peers = row["peers"]
            st, li = peers["sentence_transformers"], peers["llama_index"]
            print(f"  peer: sentence-transformers        {st['wall_s']:.1f} s "
                  f"(encode {st['encode_s']:.1f} s of "
                  f"{st['texts']} texts), peak RSS {st['peak_rss_mib']} MiB")
            print(f"  peer: stock llama-index            {li['wall_s']:.1f} s ({li['chunks']} chunks), "
                  f"peak RSS {li['peak_rss_mib']} MiB")
            print(f"  our ingest / peer                  {peers['ours_vs_sentence_transformers']:.2f}x "
                  f"sentence-transformers, {peers['ours_vs_llama_index']:.2f}x llama-index (lower is faster)")
        if "model" in row:
            r = row["model"]
            print(f"  {r['model']} ({r['questions']} questions): first text p50 {r['first_text_p50_s']} s, whole "
                  f"answer p50 {r['whole_p50_s']} s, p95 {r['whole_p95_s']} s (max {r['whole_max_s']} s); "
                  f"extractive beside it p50 {r['extractive_whole_p50_s']} s, p95 {r['extractive_whole_p95_s']} s")


def _first_run(rows: list[dict[str, Any]], key: str) -> list[tuple[str, list[float]]]:
    """The empty-model-cache ingest series, when it was measured."""
    if not all("first_run_ingest" in r for r in rows):
        return []
    return [("qa ingest, empty model cache", [r["first_run_ingest"][key] for r in rows])]


def _axes() -> tuple[Any, Any]:
    """A 2 x 2 figure for four panels against corpus size (matplotlib without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(2, 2, figsize=(10, 7))


def _plot(panels: list[tuple[Any, str, list[tuple[str, list[float]]]]], chunks: list[int], xlabel: str) -> None:
    """Each panel's series against chunks, on a log axis."""
    for ax, title, series in panels:
        for label, values in series:
            ax.plot(chunks, values, marker="o", label=label)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_xscale("log")
        ax.grid(alpha=0.3)


def _save(fig: Any, panels: list[tuple[Any, str, Any]], title: str, path: Path) -> Path:
    """Axes from zero, legends, the title; written to path."""
    import matplotlib.pyplot as plt

    for ax, _, _ in panels:
        ax.set_ylim(bottom=0)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_chart(report: dict[str, Any], path: Path) -> Path | None:
    """Four panels against corpus size: ingest wall, warm latency, cold ask, ingest memory."""
    rows = report["scales"]
    chunks = [r["chunks"] for r in rows]
    fig, axes = _axes()
    panels = [
        (axes[0][0], "ingest wall time (s)", [("qa ingest", [r["ingest"]["wall_s"] for r in rows])]
         + _first_run(rows, "wall_s")),
        (axes[0][1], "warm qa.ask latency (ms)", [("p50", [r["warm"]["p50"] for r in rows]),
                                                   ("p95", [r["warm"]["p95"] for r in rows])]),
        (axes[1][0], "cold qa ask (s, median)", [("the default answerer", [r["cold_ask"]["median_s"] for r in rows])]),
        (axes[1][1], "ingest peak RSS (MiB)", [("qa ingest", [r["ingest"]["peak_rss_mib"] for r in rows])]
         + _first_run(rows, "peak_rss_mib")),
    ]
    _plot(panels, chunks, "chunks in the index")
    for ax, _, _ in panels:
        ax.set_xticks(chunks, [f"{c:,}\nx{r['scale']}" for c, r in zip(chunks, rows)])
        ax.minorticks_off()
    peers = rows[0].get("peers")
    if peers:  # the peers ran on the first scale's texts
        for key, label, marker in (("sentence_transformers", "sentence-transformers process", "s"),
                                   ("llama_index", "stock llama-index", "^")):
            axes[0][0].plot([chunks[0]], [peers[key]["wall_s"]], marker=marker, linestyle="", label=label)
            axes[1][1].plot([chunks[0]], [peers[key]["peak_rss_mib"]], marker=marker, linestyle="", label=label)
    return _save(fig, panels, f"newsqa bench: {report['corpus']} x{', x'.join(str(r['scale']) for r in rows)}", path)


def write_grow_chart(report: dict[str, Any], path: Path) -> Path | None:
    """`qa bench --chunks`: four panels against archive size: warm asks, adding and removing 10 articles, the
    lexical index built from scratch (against bm25s, which every change rebuilt), disk."""
    rows = report["sizes"]
    if not rows:
        return None
    chunks = [r["chunks"] for r in rows]
    fig, axes = _axes()
    panels = [
        (axes[0][0], "warm qa.ask, extractive (ms)", [("p50", [r["warm_extractive"]["p50"] for r in rows]),
                                                       ("p95", [r["warm_extractive"]["p95"] for r in rows])]
         + ([(f"{q}, as of each question's day", [r["warm_extractive_as_of"][q] for r in rows]) for q in ("p50", "p95")]
            if all("warm_extractive_as_of" in r for r in rows) else [])),
        (axes[0][1], "10 articles (s)", [("qa ingest, fresh process", [r["add_10_articles_s"] for r in rows]),
                                          ("qa remove, fresh process", [r["remove_10_articles_s"] for r in rows])]
         + ([("add, running writer (qa watch)", [r["warm_add_10_articles_s"] for r in rows]),
             ("remove, running writer", [r["warm_remove_10_articles_s"] for r in rows])]
            if all("warm_add_10_articles_s" in r for r in rows) else [])
         + ([("remove in one change, running writer", [r["warm_remove_10_articles_one_change_s"] for r in rows])]
            if all("warm_remove_10_articles_one_change_s" in r for r in rows) else [])),
        (axes[1][0], "lexical index from scratch (s)", [("Tantivy (once)", [r["lexical_build_s"] for r in rows])]
         + ([("bm25s (every change, before)", [r["bm25s_build_s"] for r in rows])]
            if all("bm25s_build_s" in r for r in rows) else [])),
        (axes[1][1], "disk (GiB)", [("Chroma", [(r["disk_mib"]["chroma"] or 0) / 1024 for r in rows]),
                                    ("lexical index", [r["disk_mib"]["lexical"] / 1024 for r in rows])]),
    ]
    _plot(panels, chunks, "chunks in the archive")
    return _save(fig, panels, f"newsqa bench --chunks: {report['corpus']}, Chroma {report['chroma']}", path)
