"""The news desk over a real index: time words steer to the right week's article, answers say the day of their
source, and questions about the coverage are answered from the articles' metadata, cited."""
import pytest

from qa.pipeline import NewsQA
from qa.settings import Settings

pytestmark = pytest.mark.slow

ARTICLES = {
    "ferry-2022": ("2022-06-12", "Island Courier", "Maya Lind",
                   "Harbour ferries cut to two a day\n\nThe Quellmoor harbour ferry now runs two crossings a day, "
                   "the operator said, after a fuel shortage forced it to cancel the evening boats."),
    "ferry-2024": ("2024-01-03", "Coast Gazette", "Tomas Berg",
                   "Harbour ferries back to six a day\n\nThe Quellmoor harbour ferry now runs six crossings a day, "
                   "the operator said this week, as new boats joined the fleet."),
    "lantern": ("2023-05-14", "Island Courier", "",
                "Zorblatt lantern festival returns\n\nThe Zorblatt lantern festival returned to Quellmoor on 14 May, "
                "organisers said. About 12,000 visitors watched a parade of paper boats on the harbour."),
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory, embedder):
    """The extractive pipeline over the three articles (the judged one is tested with the real model in
    test_qwen)."""
    pipeline = NewsQA(Settings(data_dir=tmp_path_factory.mktemp("data"), llm="extractive", answerer="extractive"),
                      embedder=embedder)
    pipeline.ingest(write_articles(tmp_path_factory.mktemp("desk")))
    return pipeline


def write_articles(folder):
    """The articles as Markdown files with their date, outlet and author in front matter."""
    for name, (day, outlet, author, text) in ARTICLES.items():
        head = f"---\ndate: {day}\noutlet: {outlet}\n" + (f"author: {author}\n" if author else "") + "---\n"
        (folder / f"{name}.md").write_text(head + text)
    return folder


def test_this_week_means_the_week_before_the_day_asked(desk):
    question = "How many crossings a day does the Quellmoor harbour ferry run this week?"
    now = desk.ask(question, as_of="2024-01-05")
    then = desk.ask(question, as_of="2022-06-15")
    assert now.citations[0].source == "ferry-2024" and "six" in now.text
    assert then.citations[0].source == "ferry-2022" and "two" in then.text, (then.text, then.explanation)
    assert now.explanation.time.startswith('"this week": published 2023-12-30 to 2024-01-05')


def test_a_fact_answer_says_the_day_of_its_source(desk):
    answer = desk.ask("How many visitors watched the Zorblatt lantern parade?")
    assert answer.text.startswith("As of 14 May 2023 (Island Courier): ") and "12,000" in answer.text


def test_a_bad_as_of_is_a_clear_error(desk):
    from qa.errors import InputError

    with pytest.raises(InputError, match="not a date"):
        desk.ask("Who runs the ferry?", as_of="soonish")


@pytest.mark.parametrize(("question", "expected", "source"), [
    ("Which outlet ran the story about the Zorblatt lantern festival?", "Island Courier ran it", "lantern"),
    ("Who wrote the article about the harbour ferry going back to six crossings?", "Tomas Berg wrote it",
     "ferry-2024"),
    ("When was the story about the Zorblatt lantern festival published?", "published it on 14 May 2023", "lantern"),
    ("What was the first report on the Quellmoor harbour ferry?", "The first report: “Harbour ferries cut",
     "ferry-2022"),
    ("What was the latest report on the Quellmoor harbour ferry?", "The latest report: “Harbour ferries back",
     "ferry-2024"),
])
def test_questions_about_the_coverage_are_answered_from_metadata(desk, question, expected, source):
    answer = desk.ask(question)
    assert expected in answer.text and answer.citations[0].source == source, answer.text


def test_how_many_and_which_articles_mention_something(desk):
    counted = desk.ask("How many articles mention Quellmoor?")
    assert counted.text.startswith("3 articles mention it") and len(counted.citations) == 3
    listed = desk.ask("Which articles mention the Zorblatt festival?")
    assert [c.source for c in listed.citations] == ["lantern"]
    assert desk.ask("Which outlet ran the story about the Mars colony vote?").refused


@pytest.mark.parametrize("deepest, most_listed, exact, how", [
    (4000, 250_000, 1000, "deeper"), (0, 250_000, 1000, "among"), (0, 250_000, 0, "among"), (0, 0, 1000, "where")])
def test_a_filtered_dense_search_finds_what_chromas_filter_finds(desk, monkeypatch, deepest, most_listed, exact,
                                                                  how):
    """Chroma's filtered search costs seconds at ~1M chunks: the retriever searches deeper without the filter and
    keeps what the snapshot's dates and outlets admit; a share too small for that is searched among its own ids
    (their stored vectors when few, Chroma's search among ids when more); Chroma filters only when the share is
    too large to list. Every way finds the same chunks."""
    import index.lexical_snapshot as snapshots
    import index.store as stores
    import qa.retriever as retrieval
    from index.metadata import timestamp
    from qa.filters import Filter

    retriever, _ = desk._search_parts()
    store, asked = retriever.store, []
    search = store.search

    def recorded(vector, k, where=None, among=None):
        asked.append("where" if where else "among" if among is not None else "deeper")
        return search(vector, k, where, among)

    monkeypatch.setattr(retrieval, "DEEPEST", deepest)
    monkeypatch.setattr(snapshots, "MOST_LISTED", most_listed)
    monkeypatch.setattr(retriever.lexical, "_listed", {})   # (the module's snapshot: listed under another limit)
    monkeypatch.setattr(stores, "EXACT_AMONG", exact)
    monkeypatch.setattr(store, "search", recorded)
    vector = retriever.embedder.embed_query("How many crossings a day does the harbour ferry run?")
    for filters in (Filter(timestamp("2022-01-01"), timestamp("2022-12-31"), ()),
                    Filter(None, None, ("Island Courier",)), Filter(timestamp("2023-01-01"), None, ())):
        expected = search(vector, 2, filters.where())
        asked.clear()
        got = retriever._dense(vector, 2, filters)[:2]   # (among ids it looks ahead: the same cost)
        assert [i for i, _ in got] == [i for i, _ in expected]
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-4)
        assert asked[-1] == how and asked.count("where") <= 1


def test_a_question_searched_again_no_deeper_reads_the_hits_it_found(desk, monkeypatch):
    """Wire copies folded, the pass of the question's time words and the parts of a question search the same
    vector again: the snapshot's hits are found once, and searched again only deeper."""
    from index.metadata import timestamp
    from qa.filters import Filter

    retriever, _ = desk._search_parts()
    calls, words = [], []
    search, bm25 = retriever.store.search, retriever.lexical.search

    def counted(vector, k, where=None, among=None):
        calls.append(k)
        return search(vector, k, where, among)

    def counted_words(question, k, *admits):
        words.append(k)
        return bm25(question, k, *admits)

    monkeypatch.setattr(retriever.store, "search", counted)
    monkeypatch.setattr(retriever.lexical, "search", counted_words)
    question = "How many crossings a day does the harbour ferry run in 2024?"
    week = Filter(timestamp("2024-01-01"), None, ())
    first = retriever.retrieve(question, 2, filters=week)
    searched = len(calls)
    assert searched and len(words) == 1
    assert retriever.retrieve(question, 2, filters=week) == first and len(calls) == searched and len(words) == 1
    assert retriever.retrieve(question, 1, filters=week) == first[:1] and len(calls) == searched and len(words) == 1
    retriever.retrieve(question, 2)   # unfiltered: another search of each
    assert len(calls) == searched + 1 and len(words) == 2
    words.clear()   # BM25 looks twice as deep at once (the same cost at 1M chunks): the fold's next depth is read
    shallow = retriever._lexical_once("harbour ferry crossings", 1, None)
    assert retriever._lexical_once("harbour ferry crossings", 2, None)[:1] == shallow and words == [2]


def test_a_search_among_a_shares_ids_looks_as_deep_as_the_question_may_ask_again(desk, monkeypatch):
    """Chroma's search among a filter's ids costs the same 20 or 80 deep (~110 ms among 51k ids at 1M chunks):
    it looks AHEAD times deeper, so the fold of wire copies asking again deeper does not search again."""
    import qa.retriever as retrieval
    from qa.filters import Filter

    retriever, _ = desk._search_parts()
    calls = []
    search = retriever.store.search

    def counted(vector, k, where=None, among=None):
        calls.append((k, where is None and among is not None))
        return search(vector, k, where, among)

    monkeypatch.setattr(retrieval, "DEEPEST", 0)   # (straight to the share's ids)
    monkeypatch.setattr(retriever.store, "search", counted)
    vector = retriever.embedder.embed_query("How many crossings a day does the harbour ferry run?")
    courier = Filter(None, None, ("Island Courier",))
    shallow = retriever._dense_once(vector, 1, courier)
    deeper = retriever._dense_once(vector, 2, courier)
    assert calls == [(min(retrieval.AHEAD, retriever.lexical.admitted(outlets=courier.outlets)), True)]
    assert len(deeper) == 2 and deeper[:1] == shallow
    assert [i for i, _ in deeper] == [i for i, _ in search(vector, 2, courier.where())]


def test_the_best_hits_of_a_deeper_bm25_search_are_those_of_a_shallower_one(desk):
    """What lets a question searched again read its earlier BM25 hits: the first k of a deeper search are the k
    best, in the same order (ties included)."""
    retriever, _ = desk._search_parts()
    for question in ("harbour ferry crossings", "the council and the mayor", "island"):
        deep = retriever.lexical.search(question, 50)
        for k in (1, 2, 5, 10):
            assert retriever.lexical.search(question, k) == deep[:k]
