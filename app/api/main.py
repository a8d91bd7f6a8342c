"""The FastAPI application: live calls over websockets, stored calls, offline analysis."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.api import analyze, auth, calls, comments, health, live, pages, rubrics, stats, telephony
from app.auth import service
from app.core.config import Settings, get_settings
from app.core.limits import BodyLimit, Limits
from app.demo import api as demo
from app.live.hub import CallHub, Store
from app.pipeline.resources import Resources
from app.privacy.retention import retention_loop
from app.store.db import Database, migrate
from app.store.demo import import_demo_calls

logger = logging.getLogger(__name__)

DESCRIPTION = """
Hakshev listens to customer-retention calls, checks them live against coaching rubrics drawn from
five articles on retention calls, nudges the rep while the call goes on, and writes a scorecard.
Call time is counted from the audio samples, so a call streamed faster than real time gets the
same nudges, and a stored recording analysed offline gets the same verdicts.

## Accounts
Every endpoint but `/health` needs credentials: `Authorization: Bearer <token or API key>`,
`X-API-Key: <key>`, the session cookie set by `POST /v1/auth/login`, or (websockets only)
`?token=`. Roles: rep (own calls), lead (their team's calls), trainer (every call, comments),
admin (users, API keys, rubric files), and for API keys also telephony (streams calls in only).
A websocket without valid credentials gets the error `unauthorized` and a close 1008.

## Live audio in: `WS /v1/calls/{call_id}/audio`
1. A text message: `{"type": "start", "language": "he"|"en", "sample_rate": 8000|16000|48000,
   "encoding": "pcm_s16le", "participants": [{"id", "role", "name"}], "rep_id": "..."}`; roles:
   customer, cs, executive, support, rep. The audio has one channel per participant, in that
   order. The server answers `{"type": "started", "call_id", "resumed", "at", "samples"}`:
   for a resumed call, `at` (call time, s) and `samples` (sample frames) say where to go on.
2. Binary messages: interleaved little-endian 16-bit PCM, a whole number of sample frames,
   at most 1 s each.
3. `{"type": "stop"}`: the server answers `{"type": "stopped", "scorecard": {...}}` and closes
   (1000).

Errors: `{"type": "error", "code", "message"}`, then a close — 1003 data the server can't take
(binary before `start`, an unknown message type), 1007 a malformed message (bad JSON, a wrong
field, an odd byte count), 1008 a policy violation (unsupported rate or encoding, a frame over
1 s, a call already connected or ended, a message rate, a call length or a number of concurrent
calls over its limit), 1009 a text message over its size limit. A connection that drops without
`stop` leaves the call waiting `HAKSHEV_RECONNECT_GRACE_S` (30 s): a reconnect with the same
`call_id` and the same `start` continues it; after that the call is finished and scored. A call
that was live when the server stopped (a crash, a restart) is rebuilt from its recording and
stored transcripts at start-up and resumed the same way; at most the last second of audio it had
is lost.

## Live events out: `WS /v1/calls/{call_id}/events`
Any number of subscribers. Each gets JSON messages: `call` (participants, language, rep),
`transcript` (`speaker`, `role`, `start`, `end`, `text`, `final`), `nudge` (`rubric`, `kind`,
`at`, `to`, `text`, `severity`, `why`), `finding`, `metrics` (talk share, who holds the floor and
for how long, take-overs, offers; once a second of call time), `error`, `suspended`/`resumed`,
and `scorecard` at the end, then a close (1000). A subscriber that joins late first gets what it
missed. For a call that has ended, the stored call is sent and the socket closes.

## Stored calls
`GET /v1/calls` (filters: rep, date, outcome, score, status, language; `limit`/`offset`),
`GET /v1/calls/{id}`, `GET /v1/calls/{id}/scorecard`, `GET /v1/calls/{id}/audio` (range
requests), `POST /v1/calls/import`, and `POST /v1/analyze` (nothing stored).
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    resources: Resources = app.state.resources
    db = Database(settings.db_url)
    await run_in_threadpool(migrate, db.engine)
    store = Store(db)
    app.state.db, app.state.store = db, store
    app.state.hub = hub = CallHub(resources, store)
    hub.start_recovery()  # calls live when the server last stopped: rebuilt, await a reconnect
    if settings.demo_admin:
        password = await store.write(service.ensure_admin)
        if password is not None:
            # Printed once, on the terminal that started the service; change it after signing in.
            print(
                f"\nHakshev: created the user 'admin' with the one-time password: {password}\n"
                "Sign in at /login and change it (or add users: hakshev user add ...).\n",
                file=sys.stderr,
                flush=True,
            )
    if settings.demo_calls_dir is not None:
        n = await run_in_threadpool(import_demo_calls, resources, db, settings.demo_calls_dir)
        logger.info("imported %d demo call(s) from %s", n, settings.demo_calls_dir)
    if settings.preload:
        # Load the Whisper model(s) and embed the rubric examples in the background, so the
        # first call doesn't wait for them (start-up itself doesn't either).
        app.state.preload = asyncio.create_task(
            run_in_threadpool(resources.preload), name="preload"
        )
    retention = (
        asyncio.create_task(
            retention_loop(store, settings.retention_days, settings.retention_check_s),
            name="retention",
        )
        if settings.retention_days
        else None
    )
    try:
        yield
    finally:
        if retention is not None:
            retention.cancel()
        if (preload := getattr(app.state, "preload", None)) is not None:
            preload.cancel()
        if (simulator := getattr(app.state, "simulator", None)) is not None:
            await simulator.close()  # simulated calls end (and are scored) before the hub's
        await hub.shutdown()
        resources.close()
        db.close()


def _string_details_in_schema(app: FastAPI) -> None:
    """A 422 is FastAPI's list of validation errors, or one reason the service gives in words
    (`{"detail": "participant 1: role must be one of ..."}`): the schema says both."""
    build = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = build()
            props = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError", {})
            detail = props.get("properties", {}).get("detail")
            if detail is not None:
                props["properties"]["detail"] = {
                    "anyOf": [detail, {"type": "string"}],
                    "title": "Detail",
                }
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = FastAPI(title="Hakshev", version="0.2.0", description=DESCRIPTION, lifespan=lifespan)
    # Rubric files are validated here: a bad one stops start-up with its file, field and reason.
    app.state.settings = settings
    app.state.resources = Resources(settings)
    app.state.limits = Limits(settings)  # sign-in attempts, message rates, concurrent calls
    app.add_middleware(BodyLimit, settings=settings)  # 413 for a request body over its limit
    _string_details_in_schema(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(analyze.router)
    app.include_router(calls.router)
    app.include_router(live.router)
    app.include_router(telephony.router)
    app.include_router(rubrics.router)
    app.include_router(comments.router)
    app.include_router(stats.router)
    app.include_router(demo.router)
    pages.mount(app)  # the pages (/login, /panel, /live, /calls, ...) and /static
    return app
