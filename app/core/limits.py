"""Size and rate limits on what comes in, in one place.

- Sign-in attempts: failures per username and per client address within a moving window
  (`limits`' moving-window limiter); past it, 429 with `Retry-After` until the window frees up.
- Websocket messages per connection per second (a fixed one-second window, cheap on the hot path).
- Concurrent live calls per API key (`ApiKey.max_calls`, else `HAKSHEV_MAX_CALLS_PER_KEY`) and per
  user (`HAKSHEV_MAX_CALLS_PER_USER`): slots taken when a call opens, given back when it ends.
- Request bodies: `BodyLimit`, an ASGI middleware, refuses a JSON (or any non-multipart) body over
  `HAKSHEV_MAX_JSON_KB` and a multipart upload over `HAKSHEV_MAX_UPLOAD_MB` with 413, by its
  Content-Length before reading it, or as soon as a chunked body passes the limit.

Frame size (≤ 1 s of audio), call length and upload size are checked where the data is read
(`app.live.protocol`, `app.api.live`, `app.api.analyze`).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from app.core.config import Settings


class Limits:
    """The process's counters (in memory: one process serves the websockets of a call)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        storage = MemoryStorage()
        self._moving = MovingWindowRateLimiter(storage)
        self._fixed = FixedWindowRateLimiter(storage)
        window = settings.login_window_s
        self._login_user = RateLimitItemPerSecond(settings.login_max_failures, window)
        self._login_ip = RateLimitItemPerSecond(settings.login_max_failures_ip, window)
        self._messages = RateLimitItemPerSecond(settings.ws_max_messages_per_s, 1)
        self.slots = CallSlots()

    # --- sign-in ----------------------------------------------------------------------------
    def login_retry_after(self, username: str, client: str) -> int | None:
        """Seconds until a sign-in for `username` from `client` may be tried again; None: now."""
        waits = []
        for item, key in ((self._login_user, username.lower()), (self._login_ip, client)):
            if not self._moving.test(item, "login", key):
                reset = self._moving.get_window_stats(item, "login", key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def login_failed(self, username: str, client: str) -> None:
        self._moving.hit(self._login_user, "login", username.lower())
        self._moving.hit(self._login_ip, "login", client)

    def login_succeeded(self, username: str) -> None:
        self._moving.clear(self._login_user, "login", username.lower())

    # --- websocket messages -----------------------------------------------------------------
    def message(self, connection: str) -> bool:
        """Count one message on `connection`; False when it is over the per-second limit."""
        return self._fixed.hit(self._messages, "ws", connection)


class CallSlots:
    """Concurrent live calls per owner (an API key, a user). Taken and given back on the loop;
    a lock makes it safe from threads too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: Counter[str] = Counter()

    def acquire(self, owners: Iterable[tuple[str, int]]) -> str | None:
        """Take one slot of each `(owner, limit)`; all or none. Returns the owner that is full,
        or None when the slots were taken."""
        owners = list(owners)
        with self._lock:
            for owner, limit in owners:
                if self._held[owner] >= limit:
                    return owner
            for owner, _ in owners:
                self._held[owner] += 1
        return None

    def release(self, owners: Iterable[tuple[str, int]]) -> None:
        with self._lock:
            for owner, _ in owners:
                self._held[owner] -= 1
                if self._held[owner] <= 0:
                    del self._held[owner]

    def held(self, owner: str) -> int:
        return self._held[owner]


_NO_BODY = {"GET", "HEAD", "OPTIONS", "DELETE"}


class BodyTooLarge(HTTPException):
    """Raised from inside the body's reading: FastAPI passes an HTTPException from there on
    to its handler (any other error there becomes a 400), which answers 413."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)


class BodyLimit:
    """ASGI middleware: 413 for a request body over its limit (see the module's doc)."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.json_limit = settings.max_json_kb << 10
        # The form's own fields and boundaries come on top of the file.
        self.upload_limit = (settings.max_upload_mb << 20) + (1 << 20)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
        multipart = ctype.startswith("multipart/")
        limit = self.upload_limit if multipart else self.json_limit
        what = (
            f"upload larger than {(self.upload_limit >> 20) - 1} MB"
            if multipart
            else f"request body larger than {self.json_limit >> 10} KB"
        )
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _reply(send, 400, "invalid Content-Length")
                return
            if declared > limit:
                await _reply(send, 413, what)
                return
        received = 0
        started = False

        async def counted_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(what)
            return message

        async def tracked_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _reply(send, 413, what)


async def _reply(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
