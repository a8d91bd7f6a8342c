"""The live websockets: audio in (`/v1/calls/{id}/audio`), events out (`.../events`)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from starlette.websockets import WebSocketState

from app.api.auth import ws_principal
from app.api.deps import HubDep, StoreDep
from app.auth.roles import STREAM_ROLES, Principal
from app.core.config import Settings
from app.core.limits import Limits
from app.live.protocol import (
    CALL_ID,
    MESSAGE_TOO_BIG,
    POLICY_VIOLATION,
    UNSUPPORTED_DATA,
    ProtocolError,
    StartMessage,
    check_frame,
    parse_json,
    parse_start,
)
from app.live.session import LiveCall
from app.store import repo
from app.store.models import ApiKey, Call

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/calls", tags=["live"])


async def _refuse(ws: WebSocket, err: ProtocolError) -> None:
    if ws.client_state == WebSocketState.CONNECTED:
        await ws.send_json(err.event())
        await ws.close(err.close_code, err.message[:120])


@router.websocket("/{call_id}/audio")
async def audio(ws: WebSocket, call_id: str, hub: HubDep) -> None:
    """Audio of a live call in; `started`, then `stopped` with the scorecard, out."""
    await ws.accept()
    live: LiveCall | None = None
    limits: Limits = ws.app.state.limits
    settings = limits.settings
    connection = uuid.uuid4().hex  # the message-rate counter's key
    try:
        principal = await _signed_in(ws)
        if not principal.may(STREAM_ROLES):
            raise ProtocolError(POLICY_VIOLATION, "forbidden", "this account may not stream calls")
        if not CALL_ID.match(call_id):
            raise ProtocolError(
                POLICY_VIOLATION, "bad_call_id", "call id: 1-128 letters, digits, '.', '_' or '-'"
            )
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is None:
            raise ProtocolError(
                UNSUPPORTED_DATA, "expected_start", "send the 'start' message before any audio"
            )
        _check_text(message["text"], settings)
        start = _with_rep(parse_start(parse_json(message["text"])), principal)
        live, resumed = await _open(ws, hub, limits, principal, call_id, start)
        max_s = settings.max_call_minutes * 60
        await ws.send_json(
            {
                "type": "started",
                "call_id": call_id,
                "resumed": resumed,
                # where a resuming client goes on: call time, and sample frames received
                "at": round(live.resume_at, 2),
                "samples": live.frames_received,
            }
        )
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if not limits.message(connection):
                raise ProtocolError(
                    POLICY_VIOLATION,
                    "rate_limited",
                    f"more than {settings.ws_max_messages_per_s} messages a second",
                )
            if message.get("bytes") is not None:
                data = message["bytes"]
                check_frame(start, data)
                room = int((max_s - live.pipeline.now) * start.sample_rate) * start.frame_bytes
                if len(data) > room:  # the call reaches its longest: keep what fits, end it
                    await _too_long(ws, hub, live, data[: max(0, room)], settings)
                    return
                await live.feed(data)
                continue
            _check_text(message.get("text") or "", settings)
            data = parse_json(message.get("text") or "")
            if data["type"] != "stop":
                raise ProtocolError(
                    UNSUPPORTED_DATA, "unknown_message", f"unexpected message type {data['type']!r}"
                )
            card = await hub.finish(live)
            await ws.send_json({"type": "stopped", "call_id": call_id, "scorecard": card})
            await ws.close(1000)
            return
    except ProtocolError as err:
        await _refuse(ws, err)
    except WebSocketDisconnect:
        pass
    if live is not None and live.status == "live":
        hub.disconnected(live)


@router.websocket("/{call_id}/events")
async def events(ws: WebSocket, call_id: str, hub: HubDep, store: StoreDep) -> None:
    """Everything that happens in a call, as JSON; a late subscriber first gets what it missed.
    For a call that has ended: its stored transcript, nudges and scorecard, then a close."""
    await ws.accept()
    try:
        principal = await _signed_in(ws)
    except ProtocolError as err:
        await _refuse(ws, err)
        return
    live_now = hub.calls.get(call_id) or await hub.take_back(call_id)  # after a restart too
    if live_now is not None and not principal.can_view(live_now.start.rep_id):
        await _refuse(ws, ProtocolError(POLICY_VIOLATION, "unknown_call", f"no call {call_id}"))
        return
    joined = hub.subscribe(call_id)
    if joined is None:
        call = await store.read(lambda s: repo.get_call(s, call_id, full=True))
        if call is None or not principal.can_view(call.rep_id):
            await _refuse(ws, ProtocolError(POLICY_VIOLATION, "unknown_call", f"no call {call_id}"))
            return
        for event in _stored_events(call):
            await ws.send_json(event)
        await ws.close(1000)
        return
    live, sub = joined
    reader = asyncio.create_task(_drain_client(ws))
    try:
        while True:
            getter = asyncio.create_task(sub.queue.get())
            done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
            if reader in done:
                getter.cancel()
                return
            event = getter.result()
            if event is None:
                await ws.close(1000)
                return
            if sub.overflowed:
                await ws.close(1013, "too far behind; reconnect to catch up")
                return
            await ws.send_json(event)
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        live.subscribers.discard(sub)
        reader.cancel()


_HOLDERS: set[asyncio.Task[None]] = set()


async def _open(
    ws: WebSocket,
    hub: Any,
    limits: Limits,
    principal: Principal,
    call_id: str,
    start: StartMessage,
) -> tuple[LiveCall, bool]:
    """`hub.open`, within the caller's concurrent-call limits: a new call takes a slot of its
    user and of its API key, given back when the call ends (a resumed call keeps its own)."""
    if call_id in hub.calls:
        return await hub.open(call_id, start)  # type: ignore[no-any-return]
    settings = limits.settings
    owners = [(f"user:{principal.username}", settings.max_calls_per_user)]
    if principal.key_id is not None:
        key_id = principal.key_id
        max_calls = await ws.app.state.store.read(
            lambda s: s.scalar(select(ApiKey.max_calls).where(ApiKey.id == key_id))
        )
        owners.append((f"key:{key_id}", max_calls or settings.max_calls_per_key))
    full = limits.slots.acquire(owners)
    if full is not None:
        limit = dict(owners)[full]
        what = "API key" if full.startswith("key:") else "user"
        raise ProtocolError(
            POLICY_VIOLATION,
            "too_many_calls",
            f"this {what} already has {limit} live call(s), the most it may have at once",
        )
    try:
        live, resumed = await hub.open(call_id, start)
    except BaseException:
        limits.slots.release(owners)
        raise

    async def hold() -> None:
        try:
            await live.finished.wait()
        finally:
            limits.slots.release(owners)

    task = asyncio.create_task(hold(), name=f"slots-{call_id}")
    _HOLDERS.add(task)
    task.add_done_callback(_HOLDERS.discard)
    return live, resumed


def _check_text(text: str, settings: Settings) -> None:
    if len(text) > settings.ws_max_text_kb << 10:
        raise ProtocolError(
            MESSAGE_TOO_BIG,
            "message_too_big",
            f"a text message may hold at most {settings.ws_max_text_kb} KB",
        )


async def _too_long(
    ws: WebSocket, hub: Any, live: LiveCall, last: bytes, settings: Settings
) -> None:
    """The call has reached HAKSHEV_MAX_CALL_MINUTES: the audio up to it is kept, the call is
    ended and scored; the client gets the error, the scorecard, and a 1008 close."""
    if last:
        await live.feed(last)
    err = ProtocolError(
        POLICY_VIOLATION,
        "call_too_long",
        f"a call may last at most {settings.max_call_minutes:g} minutes; it was ended and scored",
    )
    live.publish({**err.event(), "at": round(live.pipeline.now, 2)})
    await ws.send_json(err.event())
    card = await hub.finish(live)
    await ws.send_json({"type": "stopped", "call_id": live.call_id, "scorecard": card})
    await ws.close(err.close_code, err.message[:120])


async def _signed_in(ws: WebSocket) -> Principal:
    principal = await ws_principal(ws)
    if principal is None:
        raise ProtocolError(
            POLICY_VIOLATION, "unauthorized", "sign in first (session cookie, token or API key)"
        )
    return principal


def _with_rep(start: StartMessage, principal: Principal) -> StartMessage:
    """A rep streams only their own calls: `rep_id` is theirs, given or not."""
    if principal.role != "rep":
        return start
    if start.rep_id not in (None, principal.username):
        raise ProtocolError(
            POLICY_VIOLATION, "forbidden", "a rep streams only their own calls (rep_id)"
        )
    return start.model_copy(update={"rep_id": principal.username})


async def _drain_client(ws: WebSocket) -> None:
    """Subscribers send nothing; this notices when they leave, and closes (1008) on one that
    sends more messages a second than an audio connection may."""
    limits: Limits = ws.app.state.limits
    connection = uuid.uuid4().hex
    try:
        while (await ws.receive())["type"] != "websocket.disconnect":
            if not limits.message(connection):
                await _refuse(
                    ws,
                    ProtocolError(
                        POLICY_VIOLATION, "rate_limited", "the events socket takes no messages"
                    ),
                )
                return
    except (WebSocketDisconnect, RuntimeError):
        return


def _stored_events(call: Call) -> list[dict[str, object]]:
    detail = repo.call_detail(call)
    out: list[dict[str, object]] = [
        {
            "type": "call",
            "call_id": call.id,
            "status": call.status,
            "language": call.language,
            "rep_id": call.rep_id,
            "title": call.title,
            "participants": detail["participants"],
        }
    ]
    out += [
        {"type": "transcript", "call_id": call.id, "final": True, **u} for u in detail["utterances"]
    ]
    out += [{"type": "nudge", "call_id": call.id, **n} for n in detail["nudges"]]
    card = repo.full_scorecard(call)
    if card is not None:
        out.append({"type": "scorecard", "call_id": call.id, "scorecard": card})
    return out
