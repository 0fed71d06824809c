"""`qa serve`'s HTTP API over one NewsQA pipeline (FastAPI): ask (JSON or server-sent events), search, the articles,
health, and an OpenAI-compatible chat completions endpoint. Errors are JSON in OpenAI's shape, never a
traceback; a bearer token guards the API routes when one is set."""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from qa.errors import InputError, QAError
from qa.filters import make_filter
from qa.models import Answer
from ui import library
from ui.openai_compat import MODEL, completion, completion_chunks, conversation, embeddings

_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
          409: "conflict_error", 413: "request_too_large", 502: "backend_error"}


class Filtered(BaseModel):
    """What a search reads: how many passages, and only which articles."""

    top_k: int | None = Field(None, ge=1, le=50)
    since: str | None = Field(None, description="only articles published on or after this date (YYYY-MM-DD, a year, "
                              "or time words as of as_of: \"yesterday\", \"last week\", \"3 days ago\")")
    until: str | None = Field(None, description="only articles published on or before this date (the same forms)")
    outlets: list[str] = Field(default_factory=list, description="only articles of these outlets")
    as_of: str | None = Field(None, description="the day the question is asked (YYYY-MM-DD, default today)")


class AskRequest(Filtered):
    """POST /v1/ask: a question, optionally in a conversation, with per-request settings."""

    question: str
    history: list[tuple[str, str]] = Field(default_factory=list, description="earlier (question, answer) turns")
    answerer: str | None = Field(None, description="extractive | judged | reader (default: the server's)")
    stream: bool = Field(False, description="server-sent events: text pieces, then the Answer")


class SearchRequest(Filtered):
    """POST /v1/search: the passages a query finds, each with its best sentence; no answer, no model."""

    query: str


class ChatRequest(BaseModel):
    """POST /v1/chat/completions, as OpenAI's API has it (extra fields are newsqa settings)."""

    model: str = MODEL
    messages: list[dict[str, Any]]
    stream: bool = False
    top_k: int | None = Field(None, ge=1, le=50)
    answerer: str | None = None
    since: str | None = None
    until: str | None = None
    outlets: list[str] = Field(default_factory=list)
    as_of: str | None = None


class FetchRequest(BaseModel):
    """POST /v1/articles/fetch."""

    url: str = Field(..., description="http(s) address of a news page, an RSS or Atom feed, or a .jsonl/.json/.csv "
                                      "dump")


class EmbeddingsRequest(BaseModel):
    """POST /v1/embeddings, as OpenAI's API has it."""

    input: str | list[str]
    model: str | None = None
    encoding_format: str | None = None


def error(status: int, message: str) -> JSONResponse:
    """An error in OpenAI's shape."""
    return JSONResponse({"error": {"message": message, "type": _TYPES.get(status, "error")}}, status_code=status)


def _sse(events: Iterator[tuple[str, Any]]) -> Iterator[str]:
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _started(pieces: Iterator[Any]) -> Iterator[Any]:
    """The stream with its first piece already taken: a bad question or a missing index fails here, as a 4xx,
    before the response starts."""
    first = next(pieces)

    def rest() -> Iterator[Any]:
        yield first
        yield from pieces

    return rest()


def _filter(body: Filtered | ChatRequest) -> Any:
    """The request's date and outlet filter (its time words read as of its as_of)."""
    return make_filter(body.since, body.until, body.outlets, as_of=body.as_of)


def _error_event(err: QAError) -> dict[str, Any]:
    return {"error": {"message": " ".join(str(err).split()), "type": _TYPES.get(err.http_status, "error")}}


def build_api(pipeline: Any) -> FastAPI:
    """The FastAPI app over a pipeline (the chat UI is mounted on it by `qa serve`)."""
    token = pipeline.settings.api_token.get_secret_value()

    def authorised(request: Request) -> None:
        given = request.headers.get("authorization", "")
        if token and not secrets.compare_digest(given, f"Bearer {token}"):
            raise HTTPException(401, "a bearer token is required (Authorization: Bearer QA_API_TOKEN)")

    app = FastAPI(title="newsqa", description="Answers about news articles, with numbered citations.",
                  version="0.1.0")
    api = [Depends(authorised)]

    @app.exception_handler(QAError)
    def _qa_error(request: Request, err: QAError) -> JSONResponse:
        return error(err.http_status, " ".join(str(err).split()))

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error(400, f"{where}: {first.get('msg', 'invalid request')}" if where else
                     str(first.get("msg", "invalid request")))

    @app.exception_handler(HTTPException)
    def _http(request: Request, err: HTTPException) -> JSONResponse:
        return error(err.status_code, str(err.detail))

    @app.exception_handler(Exception)
    def _bug(request: Request, err: Exception) -> JSONResponse:
        return error(500, f"internal error ({type(err).__name__}); the server log has the details")

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        """Liveness, and whether articles are there to ask about."""
        try:
            stats = pipeline.stats()
        except QAError as err:
            return {"status": "ok", "articles": 0, "note": str(err)}
        return {"status": "ok", "articles": stats["articles"], "collection": stats["collection"]}

    @app.post("/v1/ask", dependencies=api)
    def ask(body: AskRequest) -> Any:
        """The Answer as JSON, the same shape as `qa ask --json`; with "stream": server-sent events."""
        if body.stream:
            pieces = _started(pipeline.chat_stream(body.history, body.question, body.top_k, body.answerer,
                                                   filters=_filter(body), as_of=body.as_of))

            def events() -> Iterator[tuple[str, Any]]:
                try:
                    for piece in pieces:
                        yield ("answer", piece.to_dict()) if isinstance(piece, Answer) else ("text", {"text": piece})
                except QAError as err:   # after the response started: the stream's last event
                    yield "error", _error_event(err)

            return StreamingResponse(_sse(events()), media_type="text/event-stream")
        return pipeline.chat(body.history, body.question, body.top_k, body.answerer,
                             filters=_filter(body), as_of=body.as_of).to_dict()

    @app.post("/v1/search", dependencies=api)
    def search(body: SearchRequest) -> dict[str, Any]:
        """The passages found, best first, each with its best sentence (`qa search --json`'s matches)."""
        found = pipeline.search(body.query, body.top_k, filters=_filter(body), as_of=body.as_of)
        return {"query": body.query, "matches": [m.to_dict() for m in found]}

    @app.get("/v1/articles", dependencies=api)
    def articles() -> list[dict[str, Any]]:
        """The library: id, title, chunks, date added, size."""
        return pipeline.articles()

    @app.get("/v1/articles/{article_id}", dependencies=api)
    def article(article_id: str) -> dict[str, Any]:
        """One article's title and text."""
        title, text = pipeline.article(article_id)
        return {"id": article_id, "title": title, "text": text}

    @app.post("/v1/articles", dependencies=api)
    def add(files: list[UploadFile] = File(...)) -> dict[str, Any]:
        """Add articles (.txt/.md/.html), dumps (.jsonl/.json/.csv) or feeds (.rss/.atom/.xml): the Library tab's
        checks (names sanitised, each file size limited)."""
        limit = int(pipeline.settings.max_file_mb * 1_000_000)
        uploads = []
        for upload in files:
            data = upload.file.read(limit + 1)
            if len(data) > limit:
                raise HTTPException(413, f"{upload.filename}: larger than {pipeline.settings.max_file_mb} MB "
                                    "(QA_MAX_FILE_MB)")
            uploads.append((upload.filename or "article.txt", data))
        added, problems = library.add_uploads(pipeline, uploads)
        if not added and problems:
            raise InputError("; ".join(problems))
        return {"added": added, "skipped": problems}

    @app.post("/v1/articles/fetch", dependencies=api)
    def fetch(body: FetchRequest) -> dict[str, Any]:
        """Fetch a news page, an RSS/Atom feed or a dump from the web and add its articles (as `qa ingest URL`):
        fetching it again updates what changed."""
        from index.web import is_url

        if not is_url(body.url):
            raise InputError(f"url must start with http:// or https://, got {body.url[:80]!r}")
        report = pipeline.ingest(body.url)
        return {"added": report.added, "updated": report.updated, "unchanged": report.unchanged,
                "skipped": [f"{s.path}: {s.reason}" for s in report.skipped], "warnings": report.warnings,
                "chunks": report.chunks_total}

    @app.delete("/v1/articles/{article_id}", dependencies=api)
    def remove(article_id: str) -> dict[str, Any]:
        """Remove an article; it is never retrieved again."""
        return {"id": article_id, "removed_chunks": pipeline.remove(article_id)}

    @app.get("/v1/models", dependencies=api)
    def models() -> dict[str, Any]:
        """The one model this server offers: newsqa."""
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "newsqa"}]}

    @app.post("/v1/embeddings", dependencies=api)
    def embed(body: EmbeddingsRequest) -> dict[str, Any]:
        """The vectors of the model this server ingests with: another machine's ingest can embed here
        (QA_EMBED_BACKEND=openai, QA_EMBED_BASE_URL=http://this-host:port/v1)."""
        if body.encoding_format not in (None, "float"):
            raise InputError("encoding_format must be float")
        return embeddings(pipeline.embedder, body.input, body.model)

    @app.post("/v1/chat/completions", dependencies=api)
    def chat_completions(body: ChatRequest) -> Any:
        """newsqa as an OpenAI chat model: the last user message is the question, earlier turns the history."""
        history, question = conversation(body.messages)
        filters = _filter(body)
        if not body.stream:
            return completion(pipeline.chat(history, question, body.top_k, body.answerer, filters=filters,
                                            as_of=body.as_of))
        pieces = _started(pipeline.chat_stream(history, question, body.top_k, body.answerer, filters=filters,
                                               as_of=body.as_of))

        def lines() -> Iterator[str]:
            try:
                for chunk in completion_chunks(pieces):
                    yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            except QAError as err:   # after the response started: an error object ends the stream, as OpenAI's
                yield f"data: {json.dumps(_error_event(err))}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(lines(), media_type="text/event-stream")

    return app
