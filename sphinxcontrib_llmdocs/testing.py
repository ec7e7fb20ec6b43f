"""Helpers for testing documentation builds that use sphinxcontrib-llmdocs, without any network.

Two stand-ins for Claude:

- :class:`FakeBackend`: ``llmdocs_backend = "sphinxcontrib_llmdocs.testing:FakeBackend"`` in a test
  ``conf.py`` makes every prompt a "model" call that is answered deterministically (from the same facts
  the offline writer uses), counted as sent, and cached, just as real answers are. No HTTP at all.
- :class:`LoopbackMessagesServer`: a real HTTP server on ``127.0.0.1`` that speaks enough of the Anthropic
  Messages API (messages, token counting, message batches) for the official ``anthropic`` SDK. Point
  ``ANTHROPIC_BASE_URL`` at :attr:`LoopbackMessagesServer.url`, set any dummy key, and the ``anthropic`` and
  ``anthropic-batch`` backends run for real, over HTTP, against deterministic answers. It records every
  request and injects faults on demand (:class:`Fault`)::

      with LoopbackMessagesServer() as server:
          monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
          monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-dummy")
          server.fail_next(Fault.rate_limit, times=2)
          ...  # sphinx-build with llmdocs_backend = "anthropic"
          assert len(server.requests_to("/v1/messages")) == ...
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.llm.offline import write_offline_answer
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest, Usage
from sphinxcontrib_llmdocs.llm.schemas import AnalysisResponse

__all__ = ["FakeBackend", "Fault", "LoopbackMessagesServer", "MemoryAnswerStore", "RecordedRequest"]


class MemoryAnswerStore:
    """An answer store in memory, in place of the on-disk response cache (``AnswerStore`` of the scheduler).

    For tests and benchmarks of scheduling, where the disk cache's writes are not what is looked at.
    """

    def __init__(self) -> None:
        self.entries: dict[str, Completion] = {}

    def get(self, key: str) -> Completion | None:
        """The stored answer for ``key``, or ``None``."""
        return self.entries.get(key)

    def put(self, key: str, request: CompletionRequest, completion: Completion) -> None:
        """Keep ``completion`` under ``key``."""
        self.entries[key] = completion


class FakeBackend:
    """A model stand-in: deterministic answers, usage roughly proportional to the text, every call recorded.

    :param config: the run's configuration (unused; backend factories receive it).
    :param answers: optional fixed answer text per prompt id, to feed hostile or broken output.
    """

    name = "fake"
    sends_requests = True
    reads_cache = True

    def __init__(self, config: LlmdocsConfig | None = None, answers: dict[str, str] | None = None) -> None:
        self.requests: list[CompletionRequest] = []
        self.answers = dict(answers or {})

    async def complete(self, request: CompletionRequest) -> Completion:
        """Answer like the offline writer would, but as a model answer."""
        self.requests.append(request)
        text = self.answers.get(request.prompt_id)
        if text is None:
            text = json.dumps(write_offline_answer(request), ensure_ascii=False, sort_keys=True)
        usage = Usage(
            input_tokens=(len(request.system) + len(request.user)) // 4, output_tokens=len(text) // 4
        )
        return Completion(text=text, model=f"fake-{request.model}", usage=usage)

    async def aclose(self) -> None:
        """Nothing to release."""


class Fault(Enum):
    """What the loopback server does instead of answering well (:meth:`LoopbackMessagesServer.fail_next`)."""

    rate_limit = "rate_limit"
    """HTTP 429 ``rate_limit_error`` with a ``retry-after`` header."""
    overloaded = "overloaded"
    """HTTP 529 ``overloaded_error``."""
    server_error = "server_error"
    """HTTP 500 ``api_error``."""
    unauthorized = "unauthorized"
    """HTTP 401 ``authentication_error``."""
    slow = "slow"
    """A correct answer, but only after :attr:`LoopbackMessagesServer.slow_seconds` (past a short timeout)."""
    drop = "drop"
    """The connection is closed without any response."""
    malformed_body = "malformed_body"
    """HTTP 200 whose body is not JSON at all."""
    malformed_answer = "malformed_answer"
    """A well-formed message whose text is not the JSON the schema asks for."""
    max_tokens = "max_tokens"
    """A message cut off at ``max_tokens`` (``stop_reason: "max_tokens"``, truncated JSON)."""
    refusal = "refusal"
    """A message with ``stop_reason: "refusal"`` and a reason in ``stop_details``."""
    context_window = "context_window"
    """A message cut off with ``stop_reason: "model_context_window_exceeded"``."""


#: Faults that are HTTP errors, with their status and error type.
_HTTP_ERRORS = {
    Fault.rate_limit: (429, "rate_limit_error", "Number of request tokens has exceeded your rate limit."),
    Fault.overloaded: (529, "overloaded_error", "Overloaded"),
    Fault.server_error: (500, "api_error", "Internal server error"),
    Fault.unauthorized: (401, "authentication_error", "invalid x-api-key"),
}

#: Response schema title -> prompt kind, to answer like the offline writer would.
_KINDS = {
    "AnalysisResponse": "analysis",
    "ModuleResponse": "module",
    "PackageResponse": "package",
    "IndexResponse": "index",
}

REFUSAL_REASON = "The loopback server refuses this request, as asked by the test."


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the loopback server received.

    :param body: the parsed JSON body (``None`` for a request without one).
    :param headers: request headers, names in lower case.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    body: Any


@dataclass
class _FaultRule:
    fault: Fault
    remaining: int
    endpoint: str
    match: str | None


@dataclass
class _Batch:
    id: str
    created_at: datetime
    results: list[dict[str, Any]]
    polls_left: int
    counts: dict[str, int] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _tokens(text: str) -> int:
    """A rough token count (four characters a token), enough for plausible usage figures."""
    return max(1, len(text) // 4)


def _block_texts(content: object) -> list[tuple[str, bool]]:
    """``(text, marked for caching)`` for each block of a ``system`` or message ``content`` value."""
    if isinstance(content, str):
        return [(content, False)]
    blocks: list[tuple[str, bool]] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, dict):
                text = block.get("text")
                blocks.append(
                    (text if isinstance(text, str) else json.dumps(block), "cache_control" in block)
                )
    return blocks


def _prompt_blocks(params: Mapping[str, Any]) -> list[tuple[str, bool]]:
    blocks = _block_texts(params.get("system", ""))
    for message in params.get("messages") or []:
        if isinstance(message, dict):
            blocks.extend(_block_texts(message.get("content", "")))
    return blocks


def _user_text(params: Mapping[str, Any]) -> str:
    texts: list[str] = []
    for message in params.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user":
            texts.extend(text for text, _ in _block_texts(message.get("content", "")))
    return "".join(texts)


def _schema_of(params: Mapping[str, Any]) -> dict[str, Any] | None:
    config = params.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    schema = fmt.get("schema") if isinstance(fmt, dict) else None
    return schema if isinstance(schema, dict) else None


def _evidence_of(user: str) -> dict[str, object]:
    start = user.find("<evidence>")
    end = user.find("</evidence>", start)
    if start < 0 or end < 0:
        return {}
    try:
        data = json.loads(user[start + len("<evidence>") : end])
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _generic_value(schema: Mapping[str, Any], defs: Mapping[str, Any], hint: str) -> object:
    """A value that matches ``schema``: the generic answer for schemas this module does not know."""
    if "$ref" in schema:
        return _generic_value(defs.get(str(schema["$ref"]).rpartition("/")[2], {}), defs, hint)
    if schema.get("anyOf"):
        return _generic_value(schema["anyOf"][0], defs, hint)
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _generic_value(sub, defs, name) for name, sub in props.items()}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return f"The {hint.replace('_', ' ')} of the code described in the evidence."


def plausible_answer(params: Mapping[str, Any], note: str = "") -> str:
    """The loopback server's answer text for one Messages API request: deterministic, schema-valid JSON.

    For the prompts sphinxcontrib-llmdocs writes, the answer is what the offline writer would say about the
    evidence in the user text (plus ``note`` appended to the first prose field, so tests can tell model
    prose from offline prose); for any other schema, a generic value that matches it; without a schema,
    a sentence.
    """
    schema = _schema_of(params)
    user = _user_text(params)
    if schema is None:
        return f"This is the loopback server's answer to a prompt of {_tokens(user)} tokens.{note}"
    kind = _KINDS.get(str(schema.get("title", "")))
    if kind is None:
        return json.dumps(_generic_value(schema, schema.get("$defs", {}), "answer"), sort_keys=True)
    request = CompletionRequest(
        prompt_id="loopback",
        kind=kind,
        model=str(params.get("model", "")),
        system="",
        user=user,
        schema=AnalysisResponse,
        evidence=_evidence_of(user),
    )
    answer = write_offline_answer(request)
    if note:
        if kind == "analysis":
            for symbol in answer.get("symbols", []):  # type: ignore[attr-defined]
                symbol["overview"] = f"{symbol['overview']} {note}".strip()
        else:
            first = next(iter(answer))
            answer[first] = f"{answer[first]} {note}".strip()
    return json.dumps(answer, ensure_ascii=False, sort_keys=True)


class LoopbackMessagesServer:
    """A Messages API on ``127.0.0.1``, for the real ``anthropic`` SDK; see the module docstring.

    Endpoints: ``POST /v1/messages``, ``POST /v1/messages/count_tokens``, ``POST /v1/messages/batches``,
    ``GET /v1/messages/batches/<id>``, ``GET /v1/messages/batches/<id>/results`` (JSON Lines).

    Answers are deterministic (:func:`plausible_answer`); usage counts four characters a token. Prompt
    caching is simulated: a prefix ending in a block marked ``cache_control`` is written on first sight
    and read afterwards, as ``cache_creation_input_tokens`` and ``cache_read_input_tokens``. Every response
    carries ``anthropic-ratelimit-*`` headers.

    :param api_key: when set, requests that carry another key (``x-api-key`` or bearer) get a 401.
    :param note: text appended to the first prose field of every answer.
    :param batch_polls: how many times ``GET /v1/messages/batches/<id>`` says ``in_progress`` before
        ``ended``.
    :param slow_seconds: how long a :attr:`Fault.slow` answer takes.
    :param retry_after: the ``retry-after`` value (seconds) of :attr:`Fault.rate_limit` answers.
    :param min_cache_tokens: shorter cache prefixes are not cached. The real API has such a minimum
        (1024 tokens for Sonnet, more for Haiku); the default 0 caches every marked prefix.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        note: str = "",
        batch_polls: int = 0,
        slow_seconds: float = 2.0,
        retry_after: float = 0.0,
        requests_limit: int = 4000,
        min_cache_tokens: int = 0,
    ) -> None:
        self.api_key = api_key
        self.note = note
        self.batch_polls = batch_polls
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.requests_limit = requests_limit
        self.min_cache_tokens = min_cache_tokens
        self.requests: list[RecordedRequest] = []
        self.batches: dict[str, _Batch] = {}
        self._faults: list[_FaultRule] = []
        self._cached_prefixes: set[str] = set()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give the SDK (``ANTHROPIC_BASE_URL``)."""
        if self._httpd is None:
            raise RuntimeError("the loopback server is not running; call start() or use it as a context")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LoopbackMessagesServer:
        """Listen on a free port of ``127.0.0.1`` and serve from a daemon thread."""
        handler = type("_Handler", (_Handler,), {"server_state": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="llmdocs-loopback", kwargs={"poll_interval": 0.05}
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LoopbackMessagesServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- faults and records -----------------------------------------------------------------------------

    def fail_next(
        self, fault: Fault, times: int = 1, *, endpoint: str = "messages", match: str | None = None
    ) -> None:
        """Answer the next ``times`` matching requests with ``fault`` instead of a good answer.

        :param endpoint: ``"messages"`` (``POST /v1/messages``), ``"batch_entry"`` (an entry of a message
            batch: HTTP errors become ``errored`` results, the other faults shape the entry's message),
            ``"batch_create"``, ``"batch_retrieve"``, ``"batch_results"`` or ``"count_tokens"``.
        :param match: only requests whose user text contains this string.
        """
        with self._lock:
            self._faults.append(_FaultRule(fault, times, endpoint, match))

    def requests_to(self, path: str, method: str = "POST") -> list[RecordedRequest]:
        """The recorded requests to exactly ``path``."""
        with self._lock:
            return [r for r in self.requests if r.path == path and r.method == method]

    def _take_fault(self, endpoint: str, params: Mapping[str, Any] | None = None) -> Fault | None:
        with self._lock:
            for rule in self._faults:
                if rule.endpoint != endpoint or rule.remaining <= 0:
                    continue
                if rule.match is not None and rule.match not in _user_text(params or {}):
                    continue
                rule.remaining -= 1
                return rule.fault
        return None

    # -- answers ----------------------------------------------------------------------------------------

    def _usage(self, params: Mapping[str, Any], output: str) -> dict[str, int]:
        blocks = _prompt_blocks(params)
        total = sum(_tokens(text) for text, _ in blocks)
        read = written = 0
        prefix = hashlib.sha256()
        consumed = 0
        with self._lock:
            for text, marked in blocks:
                prefix.update(text.encode("utf-8"))
                consumed += _tokens(text)
                if not marked or consumed < self.min_cache_tokens:
                    continue
                digest = prefix.copy().hexdigest()
                if digest in self._cached_prefixes:
                    read = consumed
                else:
                    self._cached_prefixes.add(digest)
                    written = consumed - read
        return {
            "input_tokens": total - read - written,
            "output_tokens": _tokens(output),
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
        }

    def message(self, params: Mapping[str, Any], fault: Fault | None = None) -> dict[str, Any]:
        """The ``Message`` object answering ``params`` (shaped by ``fault`` when it is a content fault)."""
        text = plausible_answer(params, self.note)
        stop_reason = "end_turn"
        stop_details: dict[str, Any] | None = None
        if fault is Fault.malformed_answer:
            text = "Sure! Here is the documentation you asked for, in prose rather than JSON."
        elif fault is Fault.max_tokens:
            text = text[: max(1, len(text) // 3)]
            stop_reason = "max_tokens"
        elif fault is Fault.context_window:
            text = text[: max(1, len(text) // 3)]
            stop_reason = "model_context_window_exceeded"
        elif fault is Fault.refusal:
            text = ""
            stop_reason = "refusal"
            stop_details = {"type": "refusal", "category": None, "explanation": REFUSAL_REASON}
        digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
        return {
            "id": f"msg_loopback_{digest[:24]}",
            "type": "message",
            "role": "assistant",
            "model": str(params.get("model", "")),
            "content": [{"type": "text", "text": text}] if text else [],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "stop_details": stop_details,
            "usage": self._usage(params, text),
        }

    def ratelimit_headers(self) -> dict[str, str]:
        """The ``anthropic-ratelimit-*`` headers sent with every answer."""
        with self._lock:
            sent = len(self.requests)
        reset = _rfc3339(_now() + timedelta(seconds=30))
        return {
            "anthropic-ratelimit-requests-limit": str(self.requests_limit),
            "anthropic-ratelimit-requests-remaining": str(max(0, self.requests_limit - sent)),
            "anthropic-ratelimit-requests-reset": reset,
            "anthropic-ratelimit-input-tokens-limit": "400000",
            "anthropic-ratelimit-input-tokens-remaining": "399000",
            "anthropic-ratelimit-input-tokens-reset": reset,
            "anthropic-ratelimit-output-tokens-limit": "80000",
            "anthropic-ratelimit-output-tokens-remaining": "79000",
            "anthropic-ratelimit-output-tokens-reset": reset,
        }

    def _batch_json(self, batch: _Batch, *, ended: bool) -> dict[str, Any]:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if ended:
            for item in batch.results:
                counts[item["result"]["type"]] += 1
        else:
            counts["processing"] = len(batch.results)
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": _rfc3339(batch.created_at),
            "expires_at": _rfc3339(batch.created_at + timedelta(hours=24)),
            "ended_at": _rfc3339(_now()) if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }

    def _batch_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        params = entry.get("params") or {}
        fault = self._take_fault("batch_entry", params)
        if fault in _HTTP_ERRORS:
            _, error_type, message = _HTTP_ERRORS[fault]
            result: dict[str, Any] = {
                "type": "errored",
                "error": {"type": "error", "error": {"type": error_type, "message": message}},
            }
        else:
            result = {"type": "succeeded", "message": self.message(params, fault)}
        return {"custom_id": entry.get("custom_id"), "result": result}

    def create_batch(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Run every entry of a ``POST /v1/messages/batches`` body at once; results wait for the polls."""
        results = [self._batch_entry(e) for e in body.get("requests") or [] if isinstance(e, dict)]
        batch = _Batch(f"msgbatch_loopback_{next(self._ids):04d}", _now(), results, self.batch_polls)
        with self._lock:
            self.batches[batch.id] = batch
        return self._batch_json(batch, ended=False)


class _Handler(BaseHTTPRequestHandler):
    server_state: LoopbackMessagesServer
    protocol_version = "HTTP/1.1"
    #: Headers and body go out in two writes; without this, delayed ACKs add ~40 ms to every answer.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read :attr:`LoopbackMessagesServer.requests` instead."""

    # -- plumbing ---------------------------------------------------------------------------------------

    def _record(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = RecordedRequest(self.command, self.path.split("?")[0], headers, body)
        state = self.server_state
        with state._lock:
            state.requests.append(record)
        return body

    def _send(self, status: int, payload: bytes, content_type: str, extra: Mapping[str, str] = {}) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", f"req_loopback_{len(self.server_state.requests):06d}")
            for name, value in {**self.server_state.ratelimit_headers(), **extra}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout test); nothing to answer.
            self.close_connection = True

    def _json(self, status: int, data: object, extra: Mapping[str, str] = {}) -> None:
        self._send(status, json.dumps(data).encode("utf-8"), "application/json", extra)

    def _error(self, status: int, error_type: str, message: str, extra: Mapping[str, str] = {}) -> None:
        self._json(status, {"type": "error", "error": {"type": error_type, "message": message}}, extra)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _fault(self, fault: Fault | None) -> bool:
        """Carry out an HTTP-level fault; ``True`` when it answered (or dropped) the request."""
        state = self.server_state
        if fault in _HTTP_ERRORS:
            status, error_type, message = _HTTP_ERRORS[fault]
            extra = {"retry-after": f"{state.retry_after:g}"} if fault is Fault.rate_limit else {}
            self._error(status, error_type, message, extra)
            return True
        if fault is Fault.drop:
            self._drop()
            return True
        if fault is Fault.malformed_body:
            self._send(200, b'{"id": "msg_truncated", "type": "mess', "application/json")
            return True
        if fault is Fault.slow:
            time.sleep(state.slow_seconds)
        return False

    def _authorised(self) -> bool:
        expected = self.server_state.api_key
        bearer = (self.headers.get("authorization") or "").removeprefix("Bearer ").strip()
        if expected is not None and expected not in (self.headers.get("x-api-key"), bearer):
            self._error(401, "authentication_error", "invalid x-api-key")
            return False
        return True

    # -- routes -----------------------------------------------------------------------------------------

    def do_POST(self) -> None:
        body = self._record()
        state = self.server_state
        path = self.path.split("?")[0]
        if not self._authorised():
            return
        params = body if isinstance(body, dict) else {}
        if path == "/v1/messages":
            fault = state._take_fault("messages", params)
            if self._fault(fault):
                return
            self._json(200, state.message(params, fault))
        elif path == "/v1/messages/count_tokens":
            if self._fault(state._take_fault("count_tokens", params)):
                return
            self._json(200, {"input_tokens": sum(_tokens(t) for t, _ in _prompt_blocks(params))})
        elif path == "/v1/messages/batches":
            if self._fault(state._take_fault("batch_create")):
                return
            self._json(200, state.create_batch(params))
        else:
            self._error(404, "not_found_error", f"no route for POST {path}")

    def do_GET(self) -> None:
        self._record()
        state = self.server_state
        path = self.path.split("?")[0]
        if not self._authorised():
            return
        parts = path.strip("/").split("/")
        batch = (
            state.batches.get(parts[3])
            if len(parts) >= 4 and parts[:3] == ["v1", "messages", "batches"]
            else None
        )
        if batch is None:
            self._error(404, "not_found_error", f"no route or batch for GET {path}")
        elif len(parts) == 4:
            if self._fault(state._take_fault("batch_retrieve")):
                return
            with state._lock:
                ended = batch.polls_left <= 0
                batch.polls_left -= 1
            self._json(200, state._batch_json(batch, ended=ended))
        elif len(parts) == 5 and parts[4] == "results":
            if self._fault(state._take_fault("batch_results")):
                return
            lines = "".join(json.dumps(item) + "\n" for item in reversed(batch.results))
            self._send(200, lines.encode("utf-8"), "application/binary")
        else:
            self._error(404, "not_found_error", f"no route for GET {path}")
