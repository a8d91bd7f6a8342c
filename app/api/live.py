"""The live websockets: audio in (`/v1/calls/{id}/audio`), events out (`.../events`)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from app.api.auth import ws_principal
from app.api.deps import HubDep, StoreDep
from app.auth.roles import STREAM_ROLES, Principal
from app.live.protocol import (
    CALL_ID,
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
from app.store.models import Call

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
        start = _with_rep(parse_start(parse_json(message["text"])), principal)
        live, resumed = await hub.open(call_id, start)
        await ws.send_json(
            {
                "type": "started",
                "call_id": call_id,
                "resumed": resumed,
                "at": round(live.pipeline.now, 2),
            }
        )
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                check_frame(start, message["bytes"])
                await live.feed(message["bytes"])
                continue
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
    live_now = hub.calls.get(call_id)
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
    """Subscribers send nothing; this notices when they leave."""
    try:
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
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
