"""`qa serve` and the chat app's API as programs meet them: real clients (httpx, the openai SDK, gradio_client)
against real servers on 127.0.0.1, bad inputs, the token, and sixteen clients at once."""
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE, free_port
from tests.servers import qa_running, static_site

pytestmark = pytest.mark.slow
VISIT = "When did Putin last visit Pyongyang?"


@pytest.fixture(scope="module")
def index(seeded_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("served") / "index"
    shutil.copytree(seeded_dir, data)
    return data


@pytest.fixture(scope="module")
def server(index, tmp_path_factory):
    with qa_running("serve", index, tmp_path_factory.mktemp("logs"), env_extra={"QA_LLM": "extractive"},
                    ready="/healthz") as url:
        yield url


@pytest.fixture(scope="module")
def reference(index, embedder):
    """What one client alone gets: qa.ask's pipeline in process, over the same index."""
    pipeline = NewsQA(Settings(data_dir=index, llm="extractive"), embedder=embedder)
    return lambda q, history=(): _comparable(pipeline.chat(list(history), q).to_dict())


def _comparable(answer: dict) -> dict:
    """The fields one client alone must get the same (JSON shapes: tuples are lists)."""
    return json.loads(json.dumps({k: answer[k] for k in ("question", "text", "refused", "citations", "passages")}))


def test_ask_returns_the_answer_as_qa_ask_json(server, reference):
    reply = httpx.post(f"{server}/v1/ask", json={"question": VISIT}, timeout=60)
    assert reply.status_code == 200 and _comparable(reply.json()) == reference(VISIT)
    assert reply.json()["citations"][0]["source"] == CHOE_ARTICLE


def test_ask_streams_server_sent_events(server, reference):
    events = []
    with httpx.stream("POST", f"{server}/v1/ask", json={"question": VISIT, "stream": True}, timeout=60) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    assert [n for n, _ in events][-1] == "answer" and {n for n, _ in events[:-1]} == {"text"}
    assert _comparable(events[-1][1]) == reference(VISIT)


def test_search_gives_the_passages_found_with_their_best_sentence_as_qa_search_json(server, index, embedder):
    reply = httpx.post(f"{server}/v1/search", json={"query": VISIT, "top_k": 3}, timeout=60)
    assert reply.status_code == 200, reply.text
    found = reply.json()["matches"]
    assert [m["rank"] for m in found] == [1, 2, 3] and reply.json()["query"] == VISIT
    assert any(m["passage"]["source"] == CHOE_ARTICLE and "July 2000" in m["sentence"] for m in found)
    assert all(m["sentence"][-30:] in m["passage"]["text"] and m["score"] > 0 for m in found)
    pipeline = NewsQA(Settings(data_dir=index, llm="extractive"), embedder=embedder)
    assert found == json.loads(json.dumps([m.to_dict() for m in pipeline.search(VISIT, 3)]))


def test_articles_health_and_models(server):
    assert httpx.get(f"{server}/healthz").json()["articles"] == 5
    listed = httpx.get(f"{server}/v1/articles").json()
    assert CHOE_ARTICLE in {a["id"] for a in listed}
    one = httpx.get(f"{server}/v1/articles/{CHOE_ARTICLE}").json()
    assert one["title"] == "Putin expresses readiness to visit North Korea" and "July 2000" in one["text"]
    assert [m["id"] for m in httpx.get(f"{server}/v1/models").json()["data"]] == ["newsqa"]
    assert httpx.get(f"{server}/docs").status_code == 200 and httpx.get(f"{server}/ui/").status_code == 200


def test_upload_ask_and_delete(server):
    text = b"Quellmoor lantern festival\n\nThe Zorblatt lantern festival drew 12,000 visitors to Quellmoor."
    added = httpx.post(f"{server}/v1/articles", files=[("files", ("../../evil name.txt", text, "text/plain"))])
    assert added.status_code == 200 and added.json()["added"] == 1
    answer = httpx.post(f"{server}/v1/ask", json={"question": "How many visitors came to the Zorblatt lantern "
                                                              "festival?"}, timeout=60).json()
    assert "12,000" in answer["text"] and answer["citations"][0]["source"] == "evil_name"
    assert httpx.delete(f"{server}/v1/articles/evil_name").json()["removed_chunks"] >= 1
    assert httpx.get(f"{server}/v1/articles/evil_name").status_code == 404


def test_a_dump_uploaded_adds_each_of_its_articles(server):
    dump = (b'{"id": "d1", "title": "Dam opens", "text": "The Quellmoor dam opened on Monday after four years.", '
            b'"outlet": "Quellmoor Courier", "date": "2024-03-04"}\n'
            b'{"id": "d2", "title": "Ferry back", "text": "The Quellmoor ferry runs six crossings a day again."}\n'
            b'{"id": "d3", "title": "No text"}\n')
    added = httpx.post(f"{server}/v1/articles", files=[("files", ("desk.jsonl", dump, "application/x-ndjson"))])
    assert added.status_code == 200 and added.json()["added"] == 2, added.text
    assert added.json()["skipped"] == ["desk.jsonl:3: no text"]
    listed = {a["id"]: a for a in httpx.get(f"{server}/v1/articles").json()}
    dam = listed["desk-d1"]
    assert dam["outlet"] == "Quellmoor Courier" and dam["published"].startswith("2024-03-04")
    for article_id in ("desk-d1", "desk-d2"):
        assert httpx.delete(f"{server}/v1/articles/{article_id}").json()["removed_chunks"] >= 1


def test_fetch_a_page_from_the_web_ask_and_delete(server, tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "dam.html").write_text(
        "<html><head><title>Quellmoor dam opens</title><meta property='og:site_name' content='Quellmoor Courier'>"
        "</head><body><article><h1>Quellmoor dam opens</h1><p>The Quellmoor dam opened on Monday after four years "
        "of work, engineers said. It holds 40 million cubic metres of water.</p></article></body></html>")
    with static_site(tmp_path) as site:
        added = httpx.post(f"{server}/v1/articles/fetch", json={"url": f"{site}/news/dam.html"}, timeout=60)
        assert added.status_code == 200 and added.json()["added"] == 1, added.text
        assert set(added.json()) == {"added", "updated", "unchanged", "skipped", "warnings", "chunks"}
        again = httpx.post(f"{server}/v1/articles/fetch", json={"url": f"{site}/news/dam.html"}, timeout=60)
        assert again.json()["unchanged"] == 1 and again.json()["added"] == 0
    answer = httpx.post(f"{server}/v1/ask", json={"question": "How much water does the Quellmoor dam hold?"},
                        timeout=60).json()
    assert "40 million" in answer["text"] and answer["citations"][0]["source"] == "127.0.0.1-news-dam"
    assert answer["citations"][0]["url"] == f"{site}/news/dam.html"
    assert httpx.delete(f"{server}/v1/articles/127.0.0.1-news-dam").json()["removed_chunks"] >= 1


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("post", "/v1/ask", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
    ("post", "/v1/ask", {"json": {}}, 400),
    ("post", "/v1/ask", {"json": {"question": "   "}}, 400),
    ("post", "/v1/ask", {"json": {"question": VISIT, "top_k": 0}}, 400),
    ("post", "/v1/ask", {"json": {"question": VISIT, "answerer": "oracle"}}, 400),
    ("post", "/v1/ask", {"json": {"question": VISIT, "as_of": "soonish"}}, 400),
    ("post", "/v1/ask", {"json": {"question": VISIT, "as_of": "soonish", "stream": True}}, 400),
    ("post", "/v1/ask", {"json": {"question": VISIT, "since": "2030-01-01", "until": "2020-01-01"}}, 400),
    ("post", "/v1/search", {"json": {}}, 400),
    ("post", "/v1/search", {"json": {"query": "  "}}, 400),
    ("post", "/v1/search", {"json": {"query": VISIT, "top_k": 0}}, 400),
    ("post", "/v1/search", {"json": {"query": VISIT, "until": "someday"}}, 400),
    ("post", "/v1/chat/completions", {"json": {"model": "newsqa", "messages": []}}, 400),
    ("post", "/v1/chat/completions", {"json": {"messages": [{"role": "assistant", "content": "hi"}]}}, 400),
    ("get", "/v1/articles/no-such-article", {}, 404),
    ("delete", "/v1/articles/no-such-article", {}, 404),
    ("post", "/v1/articles", {"files": [("files", ("big.txt", b"x" * 6_000_000, "text/plain"))]}, 413),
    ("post", "/v1/articles", {"files": [("files", ("tool.exe", b"MZ", "application/octet-stream"))]}, 400),
    ("post", "/v1/articles/fetch", {"json": {"url": "ftp://news.example/feed"}}, 400),
    ("post", "/v1/articles/fetch", {"json": {}}, 400),
    ("post", "/v1/articles/fetch", {"json": {"url": f"http://127.0.0.1:{free_port()}/gone.html"}}, 400),
])
def test_bad_input_is_a_4xx_json_error(server, method, path, kwargs, status):
    reply = getattr(httpx, method)(f"{server}{path}", timeout=60, **kwargs)
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error"} and body["error"]["message"] and body["error"]["type"]
    assert "Traceback" not in reply.text


def test_a_bad_date_names_the_field_as_the_api_spells_it(server):
    """Over HTTP the fields are since and until, not the command line's --since."""
    for body, said in (({"since": "2030-13-01"}, "since '2030-13-01' is not a date"),
                       ({"since": "2030-01-01", "until": "2020-01-01"}, "since 2030-01-01 is after until 2020-01-01")):
        reply = httpx.post(f"{server}/v1/ask", json={"question": VISIT, **body}, timeout=60)
        message = reply.json()["error"]["message"]
        assert reply.status_code == 400 and message.startswith(said) and "--" not in message, message


def test_time_words_in_a_filter_are_read_as_of_the_day_asked(server):
    """since "last week" asked as of 2024-06-20 starts on 2024-06-07; the undated seeds fall outside it."""
    reply = httpx.post(f"{server}/v1/ask", json={"question": VISIT, "since": "last week", "as_of": "2024-06-20"},
                       timeout=60)
    assert reply.status_code == 200, reply.text
    assert reply.json()["refused"] and "no article matches the filter (since 2024-06-07)" in reply.json()["warnings"]


def test_as_of_reaches_the_answer(server):
    reply = httpx.post(f"{server}/v1/ask", json={"question": VISIT, "as_of": "2024-06-20"}, timeout=60)
    assert reply.status_code == 200, reply.text
    assert not reply.json()["refused"]   # the seeds are undated: nothing says they came after that day


def test_the_openai_sdk_uses_newsqa_as_a_model(server, reference):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server}/v1", api_key="unused")
    assert [m.id for m in client.models.list()] == ["newsqa"]
    whole = client.chat.completions.create(model="newsqa", messages=[{"role": "user", "content": ARMS_QUESTION}])
    content = whole.choices[0].message.content
    expected = reference(ARMS_QUESTION)
    assert content.startswith(expected["text"]) and "\n\nSources:\n[1]" in content
    assert whole.model_extra["citations"] == expected["citations"]
    streamed = client.chat.completions.create(model="newsqa", stream=True,
                                              messages=[{"role": "user", "content": ARMS_QUESTION}])
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == content
    follow = client.chat.completions.create(model="newsqa", messages=[
        {"role": "system", "content": "You are helpful."}, {"role": "user", "content": VISIT},
        {"role": "assistant", "content": reference(VISIT)["text"] + "\n\nSources:\n[1] ..."},
        {"role": "user", "content": "Whom did he meet there?"}])
    answer = follow.model_extra["newsqa"]
    assert answer["standalone"] != "Whom did he meet there?" and "Kim Jong Il" in answer["text"]


def test_a_token_guards_the_api_and_beyond_loopback_one_is_required(index, tmp_path):
    with qa_running("serve", index, tmp_path, env_extra={"QA_API_TOKEN": "s3cret", "QA_LLM": "extractive"},
                    ready="/healthz") as url:
        assert httpx.get(f"{url}/v1/articles").status_code == 401
        assert httpx.get(f"{url}/v1/articles", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.get(f"{url}/v1/articles", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert httpx.get(f"{url}/healthz").status_code == 200
    refused = subprocess.run([sys.executable, "-m", "qa.cli", "serve", "--host", "0.0.0.0", "--port",
                              str(free_port())], env={**os.environ, "QA_DATA_DIR": str(index)},
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "QA_API_TOKEN" in refused.stderr and "Traceback" not in refused.stderr


def test_sixteen_clients_at_once_each_get_the_answer_one_alone_gets(server, reference):
    from openai import OpenAI

    questions = [VISIT, ARMS_QUESTION, "How many people live in Vladivostok?",
                 "At which summit was Putin asked about the North Korean troop deployment?"]

    def one(i: int) -> tuple[str, dict | str]:
        q = questions[i % len(questions)]
        if i % 3 == 0:
            return q, _comparable(httpx.post(f"{server}/v1/ask", json={"question": q}, timeout=120).json())
        if i % 3 == 1:
            with httpx.stream("POST", f"{server}/v1/ask", json={"question": q, "stream": True}, timeout=120) as r:
                last = [line for line in r.iter_lines() if line.startswith("data: ")][-1]
            return q, _comparable(json.loads(last[6:]))
        reply = OpenAI(base_url=f"{server}/v1", api_key="x").chat.completions.create(
            model="newsqa", messages=[{"role": "user", "content": q}])
        return q, _comparable(reply.model_extra["newsqa"])

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(48)))
    assert all(got == reference(q) for q, got in results)


def test_gradio_client_sees_named_endpoints_only(index, tmp_path):
    from gradio_client import Client

    with qa_running("ui", index, tmp_path, env_extra={"QA_LLM": "extractive"}) as url:
        client = Client(url, verbose=False)
        names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
        assert names == {"/ask", "/articles"}
        answer = client.predict(VISIT, api_name="/ask")
        assert "2000" in answer["text"] and answer["citations"][0]["source"] == CHOE_ARTICLE
        follow = client.predict("Whom did he meet there?", [[VISIT, answer["text"]]], api_name="/ask")
        assert follow["standalone"] != "Whom did he meet there?"
        assert CHOE_ARTICLE in {a["id"] for a in client.predict(api_name="/articles")}


def test_with_a_login_the_app_also_offers_adding_and_removing(index, tmp_path):
    from gradio_client import Client, handle_file

    data = tmp_path / "index"
    shutil.copytree(index, data)
    with qa_running("ui", data, tmp_path, env_extra={"QA_LLM": "extractive", "QA_UI_USER": "ada",
                                                     "QA_UI_PASSWORD": "lovelace"}) as url:
        client = Client(url, auth=("ada", "lovelace"), verbose=False)
        names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
        assert names == {"/ask", "/articles", "/add_articles", "/remove_article"}
        note = tmp_path / "harbour.txt"
        note.write_text("Harbour reopens\n\nAda Brink cut the ribbon at the reopened Quellmoor harbour.")
        assert "Added 1" in client.predict([handle_file(str(note))], api_name="/add_articles")
        assert "Ada Brink" in client.predict("Who cut the ribbon at the Quellmoor harbour?", api_name="/ask")["text"]
        assert client.predict("harbour", api_name="/remove_article")["removed_chunks"] == 1
