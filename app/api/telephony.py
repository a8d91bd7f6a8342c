"""Calls from contact-centre platforms: Twilio Media Streams and Genesys Cloud AudioHook.

Both become live calls exactly like `WS /v1/calls/{id}/audio` (same hub, same pipeline, same
events socket and panel): `twilio-<CallSid>` and `audiohook-<session id>`. Both authenticate with
an API key of role `telephony` (or `admin`): Twilio sends it as the stream's `token` parameter,
AudioHook as the `X-API-KEY` header of the upgrade request.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
from typing import Any
from xml.etree import ElementTree

import numpy as np
from fastapi import APIRouter, HTTPException, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from starlette.websockets import WebSocketState

from app.api.auth import credential
from app.api.deps import HubDep, StoreDep
from app.api.live import _open as open_call  # hub.open within the key's and user's call limits
from app.auth import service
from app.auth.roles import Principal
from app.live.hub import CallHub, Store
from app.live.protocol import POLICY_VIOLATION, ProtocolError, StartMessage
from app.live.session import LiveCall
from app.telephony import audiohook as ah
from app.telephony import twilio as tw
from app.telephony.codecs import TELEPHONY_RATE, MulawDecoder, decode_l16
from app.telephony.feed import CallFeed, CallTooLong, TrackAligner
from app.telephony.start import language_of, start_message

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/telephony", tags=["telephony"])
TELEPHONY_ROLES = frozenset({"telephony", "admin"})
CLOSE_WAIT_S = 10.0  # after `closed` or a `disconnect`: how long the client has to hang up
MAX_AUDIO_S = 10.0  # the longest AudioHook audio frame taken


async def _principal(store: Store, secret: str | None) -> Principal | None:
    if not secret:
        return None
    return await store.read(service.resolve, secret)  # type: ignore[no-any-return]


def _rep_id(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not service.USERNAME.match(value):
        raise ValueError("rep: a username (letters, digits and . _ @ -)")
    return value


# ----- Twilio Media Streams -----------------------------------------------------------------


@router.websocket("/twilio")
async def twilio_stream(ws: WebSocket, hub: HubDep, store: StoreDep) -> None:
    """A Twilio Media Stream (`<Start><Stream track="both_tracks">`): inbound = the customer,
    outbound = the rep. Parameters: `token` (API key, required), `language`, `rep`, `customer`,
    `title`."""
    await ws.accept()
    order = tw.Sequence()
    decoder = MulawDecoder()
    live: LiveCall | None = None
    feed: CallFeed | None = None
    aligner: TrackAligner | None = None
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("text") is None:
                raise tw.TwilioError(tw.UNSUPPORTED_DATA, "Media Streams send JSON text frames")
            msg = tw.parse_message(message["text"])
            order.check(msg)
            if isinstance(msg, tw.Start):
                live = await _twilio_open(ws, hub, store, msg.start)
                feed = CallFeed(live, max_s=_max_call_s(ws))
                aligner = TrackAligner(2, active=[tw.TRACKS.index(t) for t in msg.start.tracks])
                logger.info("twilio stream %s: call %s", msg.stream_sid, live.call_id)
            elif isinstance(msg, tw.Media):
                assert feed is not None and aligner is not None and live is not None
                track = tw.TRACKS.index(msg.media.track)
                if track not in aligner.active:
                    raise tw.TwilioError(
                        tw.PROTOCOL_ERROR, f"media on track {msg.media.track!r} not in 'tracks'"
                    )
                samples = decoder.decode(msg.media.payload)
                aligner.place(track, msg.media.timestamp * TELEPHONY_RATE // 1000, samples)
                await feed.add(aligner.take())
            elif isinstance(msg, tw.Stop):
                assert feed is not None and aligner is not None and live is not None
                await _flush(feed, aligner)
                await hub.finish(live)
                await ws.close(1000)
                return
    except CallTooLong as err:  # kept what fitted; the call is scored
        assert live is not None
        await hub.finish(live)
        await ws.close(POLICY_VIOLATION, str(err))
        return
    except tw.TwilioError as err:
        logger.warning("twilio stream refused: %s (%s)", err.reason, err.code)
        if ws.client_state == WebSocketState.CONNECTED:
            await ws.close(err.code, err.reason[:120])
    except WebSocketDisconnect:
        pass
    if live is not None and live.status == "live":
        if feed is not None and aligner is not None:
            await _flush(feed, aligner)  # nothing received is lost
        hub.disconnected(live)


async def _flush(feed: CallFeed, aligner: TrackAligner) -> None:
    with contextlib.suppress(CallTooLong):  # up to the call's longest
        await feed.add(aligner.take(everything=True))
        await feed.end()


def _max_call_s(ws: WebSocket) -> float:
    return float(ws.app.state.settings.max_call_minutes) * 60


async def _twilio_open(ws: WebSocket, hub: CallHub, store: Store, start: tw.StartInfo) -> LiveCall:
    tw.check_format(start)
    params = start.custom_parameters
    principal = await _principal(store, params.get("token"))
    if principal is None:
        raise tw.TwilioError(POLICY_VIOLATION, "invalid or missing token (a Parameter 'token')")
    if not principal.may(TELEPHONY_ROLES):
        raise tw.TwilioError(POLICY_VIOLATION, "this key may not stream telephony calls")
    try:
        start_msg = start_message(
            language_of(params.get("language")),
            rep_id=_rep_id(params.get("rep")),
            customer_name=params.get("customer", ""),
            rep_name=params.get("rep_name", ""),
            title=params.get("title", ""),
        )
    except ValueError as exc:
        raise tw.TwilioError(POLICY_VIOLATION, str(exc)[:120]) from exc
    try:
        live, _ = await open_call(
            ws, hub, ws.app.state.limits, principal, f"twilio-{start.call_sid}", start_msg
        )
    except ProtocolError as err:
        raise tw.TwilioError(err.close_code, err.message) from err
    return live


_TWIML: dict[str, Any] = {
    "description": (
        '`<Response><Start><Stream track="both_tracks">` with the stream\'s parameters: `token` '
        "(the API key this request was made with), `language`, `rep`, and `customer` (the "
        "caller's number, when Twilio calls this as the voice webhook); then `<Redirect>` to "
        "`redirect` (your own TwiML, which goes on with the call) if given. Authenticate with a "
        "telephony API key: `X-API-Key`, `Authorization: Bearer`, or HTTP basic auth with the "
        "key as the password (`https://twilio:KEY@host/v1/telephony/twilio/twiml?...` as the "
        "number's webhook in Twilio's console)."
    ),
    "response_class": Response,
    "responses": {200: {"content": {"application/xml": {}}, "description": "TwiML"}},
}


@router.get("/twilio/twiml", summary="TwiML that forks a Twilio call's audio to Hakshev", **_TWIML)
async def twiml(
    request: Request,
    store: StoreDep,
    language: str = "en",
    rep: str | None = None,
    redirect: str | None = None,
) -> Response:
    return await _twiml(request, store, language, rep, redirect)


@router.post(
    "/twilio/twiml", summary="The same, as a Twilio number's voice webhook (POST)", **_TWIML
)
async def twiml_webhook(
    request: Request,
    store: StoreDep,
    language: str = "en",
    rep: str | None = None,
    redirect: str | None = None,
) -> Response:
    return await _twiml(request, store, language, rep, redirect)


async def _twiml(
    request: Request, store: Store, language: str, rep: str | None, redirect: str | None
) -> Response:
    """TwiML for the stream (both GET and POST)."""
    secret = _basic_password(request) or credential(request)
    principal = await _principal(store, secret)
    if principal is None or secret is None:
        raise HTTPException(
            401, "send a telephony API key", headers={"WWW-Authenticate": 'Basic realm="hakshev"'}
        )
    if not principal.may(TELEPHONY_ROLES) or principal.via != "key":
        raise HTTPException(403, "needs an API key of role telephony or admin")
    try:
        language = language_of(language)
    except ValueError as exc:
        raise _invalid("language", str(exc)) from exc
    try:
        rep = _rep_id(rep)
    except ValueError as exc:
        raise _invalid("rep", str(exc)) from exc
    if redirect is not None and not redirect.startswith(("https://", "http://")):
        raise _invalid("redirect", "an http(s) URL of the TwiML that goes on with the call")
    caller = ""
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        caller = str((await request.form()).get("From", ""))[:200]
    scheme = "wss" if request.url.scheme in ("https", "wss") else "ws"
    url = str(request.url.replace(scheme=scheme, path="/v1/telephony/twilio", query=""))
    params = {"token": secret, "language": language, "rep": rep or "", "customer": caller}
    root = ElementTree.Element("Response")
    stream = ElementTree.SubElement(
        ElementTree.SubElement(root, "Start"),
        "Stream",
        {"url": url, "track": "both_tracks", "name": "hakshev"},
    )
    for name, value in params.items():
        if value:
            ElementTree.SubElement(stream, "Parameter", {"name": name, "value": value})
    if redirect:
        ElementTree.SubElement(root, "Redirect", {"method": "POST"}).text = redirect
    body = ElementTree.tostring(root, encoding="unicode", xml_declaration=False)
    return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n{body}', media_type="application/xml")


def _invalid(name: str, message: str) -> RequestValidationError:
    """A 422 like FastAPI's own for a query parameter (the documented error body)."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", name), "msg": message, "input": None}]
    )


def _basic_password(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("basic "):
        return None
    try:
        _, _, password = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password or None


# ----- Genesys Cloud AudioHook ----------------------------------------------------------------


@router.websocket("/audiohook")
async def audiohook_stream(ws: WebSocket, hub: HubDep, store: StoreDep) -> None:
    """A Genesys Cloud AudioHook (v2) session: external = the customer, internal = the agent."""
    principal = await _principal(store, ws.headers.get("x-api-key"))
    if principal is None or not principal.may(TELEPHONY_ROLES):
        await _deny(ws, 401 if principal is None else 403, "unknown or unauthorized X-API-KEY")
        return
    ids = {
        h: ws.headers.get(h, "")
        for h in ("audiohook-organization-id", "audiohook-session-id", "audiohook-correlation-id")
    }
    bad = [h for h, v in ids.items() if not ah.UUID.match(v)]
    if bad:
        await _deny(ws, 400, f"missing or invalid header(s): {', '.join(bad)}")
        return
    await ws.accept()
    session = AudioHookSession(
        ws, hub, principal, ids["audiohook-session-id"], ids["audiohook-organization-id"]
    )
    await session.run()


async def _deny(ws: WebSocket, status: int, reason: str) -> None:
    """Refuse the upgrade with an HTTP status (the server's websocket denial extension)."""
    try:
        await ws.send_denial_response(Response(reason, status_code=status, media_type="text/plain"))
    except RuntimeError:  # a server without the denial extension: a close before accept (403)
        await ws.close(POLICY_VIOLATION, reason)


class AudioHookSession:
    """One AudioHook session on an accepted websocket: the spec's states PREPARING → ACTIVE ⇄
    PAUSED → CLOSING → CLOSED, or ERROR once a `disconnect` was sent."""

    def __init__(
        self, ws: WebSocket, hub: CallHub, principal: Principal, session_id: str, org_id: str
    ) -> None:
        self.ws, self.hub, self.principal = ws, hub, principal
        self.session_id, self.org_id = session_id, org_id
        self.order = ah.Sequencer(session_id)
        self.state = "PREPARING"
        self.medium: ah.Medium | None = None
        self.probe = False
        self.live: LiveCall | None = None
        self.feed: CallFeed | None = None
        # The call opens in the background: `opened` must not wait for a model to load (clients
        # give the open transaction a few seconds). Audio that comes meanwhile waits here.
        self._opening: asyncio.Task[None] | None = None
        self._pending: list[np.ndarray] = []
        self.position = 0  # stream position in 8 kHz frames: audio received + audio discarded
        self._mulaw = MulawDecoder()

    async def run(self) -> None:
        try:
            while True:
                if self.state in ("CLOSED", "ERROR"):
                    # The client hangs up now; one that doesn't is closed on.
                    try:
                        message = await asyncio.wait_for(self.ws.receive(), CLOSE_WAIT_S)
                    except TimeoutError:
                        await self.ws.close(1000)
                        break
                else:
                    message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    if message.get("bytes") is not None:
                        await self._audio(message["bytes"])
                    else:
                        await self._text(message.get("text") or "")
                except ah.AudioHookError as err:
                    await self._disconnect(err.info)
                except CallTooLong as err:  # kept what fitted; the call is scored
                    await self._disconnect(str(err), reason="completed")
                    if self.live is not None:
                        await self.hub.finish(self.live)
        except WebSocketDisconnect:
            pass
        finally:
            await self._dropped()

    async def _send(self, type_: str, parameters: dict[str, Any] | None = None) -> None:
        message = json.dumps(self.order.message(type_, parameters))
        try:
            await self.ws.send_text(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            logger.info("audiohook %s: '%s' not sent: the client has gone", self.session_id, type_)

    async def _disconnect(self, info: str, reason: str = "error") -> None:
        logger.warning("audiohook %s: disconnect (%s): %s", self.session_id, self.state, info)
        if self.state in ("PREPARING", "ACTIVE", "PAUSED"):
            self.state = "ERROR"
            await self._send("disconnect", {"reason": reason, "info": info[:1000]})

    async def _dropped(self) -> None:
        """The connection ended without a close transaction: keep what came, let the hub wait
        for a reconnect and then score the call."""
        await self._opened()
        live = self.live
        if live is not None and live.status == "live":
            await self._flush_all()
            self.hub.disconnected(live)

    # --- messages ----------------------------------------------------------------------------
    async def _text(self, text: str) -> None:
        message = ah.parse_client_message(text)
        self.order.accept(message)
        ah.check_parameters(message)
        handler = getattr(self, f"_on_{message.type}")
        await handler(message)

    async def _on_open(self, m: ah.ClientMessage) -> None:
        if self.state != "PREPARING":
            logger.warning("audiohook %s: 'open' in state %s ignored", self.session_id, self.state)
            return
        p = m.parameters
        if p["organizationId"].lower() != self.org_id.lower():
            raise ah.AudioHookError("organizationId differs from Audiohook-Organization-Id")
        self.probe = p["conversationId"] == ah.NULL_UUID
        self.medium = ah.choose_medium(p["media"])
        if self.medium is None and not self.probe:
            raise ah.AudioHookError("no usable media offered (PCMU or L16, 8000 Hz)")
        if not self.probe:
            await self._open_call(p)
        opened: dict[str, Any] = {
            "media": [self.medium.offer] if self.medium else [],
            "startPaused": False,
        }
        if p.get("supportedLanguages"):
            opened["supportedLanguages"] = ah.SUPPORTED_LANGUAGES
        await self._send("opened", opened)
        self.state = "ACTIVE"

    async def _open_call(self, p: dict[str, Any]) -> None:
        config = p.get("customConfig") or {}
        participant = p["participant"]
        try:
            start = start_message(
                language_of(p.get("language") or config.get("language")),
                rep_id=_rep_id(config.get("rep")),
                customer_name=participant.get("aniName") or participant.get("ani") or "",
                title=str(config.get("title") or ""),
            )
        except ValueError as exc:
            raise ah.AudioHookError(str(exc)) from exc
        call_id = f"audiohook-{self.session_id.lower()}"
        self._opening = asyncio.create_task(self._open_live(call_id, start), name=call_id)
        logger.info(
            "audiohook session %s: call %s (conversation %s, %s)",
            self.session_id,
            call_id,
            p["conversationId"],
            self.medium.offer if self.medium else None,
        )

    async def _open_live(self, call_id: str, start: StartMessage) -> None:
        try:
            live, _ = await open_call(
                self.ws, self.hub, self.ws.app.state.limits, self.principal, call_id, start
            )
        except ProtocolError as err:
            await self._disconnect(err.message)
            return
        except Exception:
            logger.exception("audiohook %s: opening the call failed", self.session_id)
            await self._disconnect("Server error: the call could not be opened")
            return
        self.live, self.feed = live, CallFeed(live, max_s=_max_call_s(self.ws))

    async def _opened(self) -> None:
        """Wait for the call to be open (at the end of the session only)."""
        if self._opening is not None:
            await self._opening

    async def _put(self, frames: np.ndarray) -> None:
        """8 kHz (n, 2) frames of the call, in order, whether the call is open yet or not."""
        if self.feed is None:
            if self._opening is not None and not self._opening.done():
                self._pending.append(frames)
            return  # a connection probe, or a call that could not be opened
        await self._drain()
        await self.feed.add(frames)

    async def _drain(self) -> None:
        if self.feed is not None and self._pending:
            pending, self._pending = self._pending, []
            for frames in pending:
                await self.feed.add(frames)

    async def _flush_all(self) -> None:
        """Everything received into the call, up to its longest."""
        with contextlib.suppress(CallTooLong):
            await self._drain()
            if self.feed is not None:
                await self.feed.end()

    async def _silence(self, seconds: float) -> None:
        left = round(seconds * TELEPHONY_RATE)
        while left > 0:
            n = min(left, TELEPHONY_RATE)
            await self._put(np.zeros((n, 2), dtype=np.int16))
            left -= n

    async def _on_ping(self, m: ah.ClientMessage) -> None:
        await self._send("pong")

    async def _on_update(self, m: ah.ClientMessage) -> None:
        # The call's language is fixed when it opens; a change is noted, not followed.
        logger.info("audiohook %s: update %s", self.session_id, m.parameters)

    async def _on_error(self, m: ah.ClientMessage) -> None:
        logger.warning(
            "audiohook %s: client error %s: %s",
            self.session_id,
            m.parameters["code"],
            m.parameters["message"][:200],
        )

    async def _on_paused(self, m: ah.ClientMessage) -> None:
        if self.state == "ACTIVE":
            self.state = "PAUSED"

    async def _on_resumed(self, m: ah.ClientMessage) -> None:
        """The pause's length (`discarded`) passed on the call without audio: silence."""
        if self.state != "PAUSED":
            return
        self.state = "ACTIVE"
        await self._silence(ah.parse_duration(m.parameters["discarded"]))

    async def _on_discarded(self, m: ah.ClientMessage) -> None:
        """Audio the client dropped (`discarded` from `start`): silence, and the stream's
        position moves past it."""
        if self.state not in ("ACTIVE", "PAUSED"):
            return
        start = round(ah.parse_duration(m.parameters["start"]) * TELEPHONY_RATE)
        length = round(ah.parse_duration(m.parameters["discarded"]) * TELEPHONY_RATE)
        gap = max(0, start + length - self.position)
        self.position += gap
        await self._silence(gap / TELEPHONY_RATE)

    async def _on_close(self, m: ah.ClientMessage) -> None:
        if self.state in ("CLOSING", "CLOSED"):
            return
        # Every frame is in by now (the client sends none after `close`), so `closed` goes at
        # once — clients time the close transaction (Genesys's reference client: 10 s) — and
        # the rest of the audio, the last transcriptions and the scorecard follow here.
        self.state = "CLOSING"
        await self._send("closed")
        self.state = "CLOSED"
        await self._opened()
        live = self.live
        if live is not None and live.status == "live":
            await self._flush_all()
            await self.hub.finish(live)

    # --- audio -------------------------------------------------------------------------------
    async def _audio(self, data: bytes) -> None:
        if self.state in ("ERROR", "CLOSED"):
            return  # after a disconnect or the close transaction: nothing more is taken
        if self.state != "ACTIVE":
            raise ah.AudioHookError(f"Received audio in state {self.state}")
        medium = self.medium
        if medium is None:
            raise ah.AudioHookError("Unexpected binary message: No media selected")
        if not data:
            return  # Genesys's reference client sends empty frames (a zero-length stream)
        if len(data) % medium.frame_bytes:
            raise ah.AudioHookError(
                f"Binary data not a valid audio frame: {len(data)} bytes is not a whole number "
                f"of {medium.channels}-channel {medium.format} frames"
            )
        if len(data) > MAX_AUDIO_S * TELEPHONY_RATE * medium.frame_bytes:
            raise ah.AudioHookError(f"Audio frame over {MAX_AUDIO_S:g} s")
        samples = self._mulaw.decode(data) if medium.format == "PCMU" else decode_l16(data)
        frames = samples.reshape(-1, medium.channels)
        self.position += len(frames)
        both = np.zeros((len(frames), 2), dtype=np.int16)
        for target, source in ((0, medium.customer), (1, medium.rep)):
            if source is not None:
                both[:, target] = frames[:, source]
        await self._put(both)
