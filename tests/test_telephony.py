"""Telephony: Twilio Media Streams and Genesys AudioHook v2 against the real service.

The platforms' messages are sent exactly as the platforms send them (JSON text frames, base64
μ-law per track for Twilio; sequence-numbered JSON and binary stereo PCMU for AudioHook), over
real websockets to the app on loopback. The whole-call tests speak a call with espeak-ng, send it
natively and through each protocol, and compare what the real Whisper model and rubrics make of
it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
import soxr
import websockets
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.core.config import ROOT, Settings
from app.core.events import Participant
from app.streamer import pcm16, stream_call
from app.telephony import audiohook as ah
from app.telephony import twilio as tw
from app.telephony.codecs import MulawDecoder, Upsampler, decode_l16, encode_mulaw
from app.telephony.feed import TrackAligner
from app.telephony.start import language_of
from tests.accounts import add_account, admin_headers, admin_key
from tests.live_server import serve
from tests.synth import SR, Spoken, Turn, render

CUSTOMER, REP = 0, 1
ORG = "d7934305-0972-4844-938e-9060eef73d05"
PEOPLE = [Participant("customer", "customer", ""), Participant("rep", "rep", "")]


def _sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


# ===== codecs, alignment and parsers (no server) ==============================================


def test_mulaw_round_trip_is_within_g711_error() -> None:
    t = np.arange(8000) / 8000
    x = (np.sin(2 * np.pi * 440 * t) * 12000).astype(np.int16)
    y = MulawDecoder().decode(encode_mulaw(x))
    assert y.dtype == np.int16 and len(y) == len(x)
    # G.711 μ-law: a relative error of a few percent, never more than one step of its segment.
    assert np.max(np.abs(y.astype(int) - x)) <= 0.04 * np.max(np.abs(x)) + 16
    assert MulawDecoder().decode(bytes([0xFF, 0x7F])).tolist() == [0, 0]  # both μ-law zeros


def test_l16_is_little_endian() -> None:
    assert decode_l16(b"\x01\x00\xff\x7f\x00\x80").tolist() == [1, 32767, -32768]


def test_streaming_upsampler_adds_nothing_at_packet_boundaries() -> None:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((8000, 2)) * 3000).astype(np.int16)
    whole = Upsampler(2)
    one = np.frombuffer(whole.push(x) + whole.end(), "<i2")
    pieces = Upsampler(2)
    parts = b"".join(pieces.push(x[i : i + 160]) for i in range(0, len(x), 160)) + pieces.end()
    many = np.frombuffer(parts, "<i2")
    assert len(one) == len(many) == 2 * x.size
    assert np.max(np.abs(one.astype(int) - many)) <= 1


def test_aligner_pads_gaps_and_keeps_tracks_aligned() -> None:
    a = TrackAligner(2)
    a.place(0, 0, np.full(160, 1, np.int16))
    a.place(1, 0, np.full(160, 2, np.int16))
    a.place(0, 480, np.full(160, 3, np.int16))  # 40 ms missing on track 0: silence
    out = a.take()
    assert out.shape == (160, 2)  # track 1 has only 160 so far
    a.place(1, 160, np.full(480, 4, np.int16))
    out = a.take()
    assert out.shape == (480, 2)
    assert (out[:320, 0] == 0).all() and (out[320:, 0] == 3).all() and (out[:, 1] == 4).all()
    a.place(0, 600, np.full(100, 5, np.int16))  # overlaps what was placed: the overlap goes
    a.place(1, 640, np.full(100, 6, np.int16))
    rest = a.take(everything=True)
    assert rest.shape == (100, 2) and (rest[:60, 0] == 5).all() and (rest[60:, 0] == 0).all()
    assert (rest[:, 1] == 6).all()
    assert a.emitted == 740


def test_aligner_does_not_wait_for_a_silent_or_lagging_track() -> None:
    only_inbound = TrackAligner(2, active=[0])
    only_inbound.place(0, 0, np.ones(160, np.int16))
    assert only_inbound.take().shape == (160, 2)
    lagging = TrackAligner(2, max_skew_s=0.1)
    lagging.place(0, 0, np.ones(8000, np.int16))
    got = lagging.take()
    assert got.shape == (7200, 2) and (got[:, 1] == 0).all()
    lagging.place(1, 0, np.ones(8000, np.int16))  # late audio for time already passed is dropped
    assert lagging.end_of(1) == 8000


def _twilio_start(seq: int = 1, **params: str) -> dict[str, Any]:
    stream = _sid("MZ")
    return {
        "event": "start",
        "sequenceNumber": str(seq),
        "streamSid": stream,
        "start": {
            "accountSid": _sid("AC"),
            "streamSid": stream,
            "callSid": _sid("CA"),
            "tracks": ["inbound", "outbound"],
            "customParameters": params,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        },
    }


def test_twilio_messages_parse_and_are_checked_in_order() -> None:
    connected = tw.parse_message('{"event": "connected", "protocol": "Call", "version": "1.0.0"}')
    start_data = _twilio_start(token="k")
    start = tw.parse_message(json.dumps(start_data))
    assert isinstance(start, tw.Start) and start.start.custom_parameters == {"token": "k"}
    payload = base64.b64encode(bytes(160)).decode()
    media = tw.parse_message(
        json.dumps(
            {
                "event": "media",
                "sequenceNumber": "2",
                "streamSid": start.stream_sid,
                "media": {"track": "outbound", "chunk": "1", "timestamp": "20", "payload": payload},
            }
        )
    )
    assert isinstance(media, tw.Media) and media.media.timestamp == 20
    assert media.media.payload == bytes(160)
    order = tw.Sequence()
    for m in (connected, start, media):
        order.check(m)
    with pytest.raises(tw.TwilioError) as again:
        order.check(media)
    assert (
        again.value.code == tw.PROTOCOL_ERROR and "sequenceNumber 2 after 2" in again.value.reason
    )
    with pytest.raises(tw.TwilioError) as early:
        tw.Sequence().check(media)
    assert early.value.code == tw.PROTOCOL_ERROR and "before 'start'" in early.value.reason


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("{not json", 1007, "not valid JSON"),
        ('["event"]', 1007, "JSON object"),
        ('{"event": "hangup", "sequenceNumber": "2"}', 1003, "unknown event"),
        (
            '{"event": "media", "sequenceNumber": "2", "streamSid": "MZ1", "media": {"track": '
            '"inbound", "chunk": "1", "timestamp": "0", "payload": "***"}}',
            1007,
            "base64",
        ),
        (
            '{"event": "media", "sequenceNumber": "x", "streamSid": "MZ1", "media": {}}',
            1007,
            "sequenceNumber",
        ),
    ],
)
def test_twilio_bad_messages_get_their_close_codes(text: str, code: int, words: str) -> None:
    with pytest.raises(tw.TwilioError) as err:
        tw.parse_message(text)
    assert err.value.code == code and words in err.value.reason


def test_twilio_refuses_other_media_formats() -> None:
    data = _twilio_start()
    data["start"]["mediaFormat"] = {"encoding": "audio/l16", "sampleRate": 16000, "channels": 1}
    msg = tw.parse_message(json.dumps(data))
    assert isinstance(msg, tw.Start)
    with pytest.raises(tw.TwilioError) as err:
        tw.check_format(msg.start)
    assert err.value.code == 1008


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    event=st.sampled_from(["connected", "start", "media", "stop", "dtmf", "mark", "other"]),
    body=st.dictionaries(
        st.sampled_from(["sequenceNumber", "streamSid", "start", "media", "stop", "x"]), _json
    ),
)
def test_twilio_parser_takes_or_refuses_anything(event: str, body: dict[str, Any]) -> None:
    try:
        msg = tw.parse_message(json.dumps({**body, "event": event}))
    except tw.TwilioError as err:
        assert err.code in (1003, 1007) and err.reason
    else:
        assert msg.event == event


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200) | _json.map(json.dumps))
def test_twilio_parser_on_any_text(text: str) -> None:
    try:
        msg = tw.parse_message(text)
    except tw.TwilioError as err:
        assert err.code in (1003, 1007)
    else:
        assert msg.event in ("connected", "start", "media", "stop", "dtmf", "mark")


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False))
def test_audiohook_durations_round_trip(seconds: Any) -> None:
    text = ah.format_duration(float(seconds))
    assert ah.DURATION.match(text)
    assert ah.parse_duration(text) == pytest.approx(float(seconds), abs=5e-4)


def _ah_message(type_: str, seq: int, parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "version": "2",
        "id": extra.pop("id", str(uuid.uuid4())),
        "type": type_,
        "seq": seq,
        "serverseq": extra.pop("serverseq", 0),
        "position": extra.pop("position", "PT0S"),
        "parameters": parameters,
        **extra,
    }


def _open_parameters(conversation: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "organizationId": ORG,
        "conversationId": conversation or str(uuid.uuid4()),
        "participant": {
            "id": str(uuid.uuid4()),
            "ani": "+1-555-555-1234",
            "aniName": "John Doe",
            "dnis": "+1-800-555-6789",
        },
        "media": [
            {"type": "audio", "format": "PCMU", "channels": ["external"], "rate": 8000},
            {"type": "audio", "format": "L16", "channels": ["external", "internal"], "rate": 8000},
            {"type": "audio", "format": "PCMU", "channels": ["external", "internal"], "rate": 8000},
        ],
        "language": "en-US",
        **extra,
    }


def test_audiohook_open_is_checked_and_the_stereo_pcmu_offer_chosen() -> None:
    msg = ah.parse_client_message(json.dumps(_ah_message("open", 1, _open_parameters())))
    ah.check_parameters(msg)
    medium = ah.choose_medium(msg.parameters["media"])
    assert medium is not None and medium.offer == msg.parameters["media"][2]
    assert (medium.customer, medium.rep, medium.frame_bytes) == (0, 1, 2)
    swapped = ah.choose_medium(
        [{"type": "audio", "format": "L16", "channels": ["internal", "external"], "rate": 8000}]
    )
    assert swapped is not None and (swapped.customer, swapped.rep, swapped.frame_bytes) == (1, 0, 4)
    assert ah.choose_medium([]) is None


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({"version": "1", "type": "ping"}, "well-formed"),
        (_ah_message("ping", 1, {}, position="12s"), "well-formed"),
        (_ah_message("ping", 1, {}, serverseq=-1), "well-formed"),
        (_ah_message("hello", 1, {}), "not a supported client message"),
        (_ah_message("close", 1, {"reason": "bored"}), "Invalid 'close'"),
        (_ah_message("open", 1, {**_open_parameters(), "media": [{"type": "video"}]}), "'open'"),
        (_ah_message("discarded", 1, {"start": "PT1S"}), "Invalid 'discarded'"),
        (_ah_message("update", 1, {"language": "english"}), "Invalid 'update'"),
    ],
)
def test_audiohook_malformed_messages_are_protocol_errors(
    message: dict[str, Any], words: str
) -> None:
    with pytest.raises(ah.AudioHookError) as err:
        ah.check_parameters(ah.parse_client_message(json.dumps(message)))
    assert words in err.value.info


def test_audiohook_sequence_rules() -> None:
    session = str(uuid.uuid4())
    order = ah.Sequencer(session)
    order.accept(ah.parse_client_message(json.dumps(_ah_message("ping", 1, {}, id=session))))
    assert order.message("pong") == {
        "version": "2",
        "type": "pong",
        "id": session,
        "seq": 1,
        "clientseq": 1,
        "parameters": {},
    }
    for bad, words in (
        (_ah_message("ping", 3, {}, id=session), "Invalid seq value 3 (expected 2"),
        (_ah_message("ping", 2, {}, id=session, serverseq=2), "Invalid serverseq"),
        (_ah_message("ping", 3, {}), "Session identifier mismatch"),
    ):
        with pytest.raises(ah.AudioHookError) as err:
            order.accept(ah.parse_client_message(json.dumps(bad)))
        assert words in err.value.info


@settings(max_examples=300, deadline=None)
@given(
    type_=st.sampled_from([*ah.CLIENT_TYPES, "opened", "x"]),
    parameters=st.dictionaries(
        st.sampled_from(
            ["reason", "start", "discarded", "code", "message", "language", "rtt", "media"]
        ),
        _json,
    ),
    seq=st.integers(-2, 5),
)
def test_audiohook_parser_takes_or_refuses_anything(
    type_: str, parameters: dict[str, Any], seq: int
) -> None:
    try:
        ah.check_parameters(
            ah.parse_client_message(json.dumps(_ah_message(type_, seq, parameters)))
        )
    except ah.AudioHookError as err:
        assert err.info
    else:
        assert type_ in ah.CLIENT_TYPES and seq >= 0


def test_languages() -> None:
    assert [language_of(x) for x in (None, "en-US", "he-IL", "iw-IL", "EN")] == [
        "en",
        "en",
        "he",
        "he",
        "en",
    ]
    with pytest.raises(ValueError, match="not supported"):
        language_of("fr-FR")


# ===== the real server: refusals (no model needed) ============================================


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    settings = Settings(
        rubrics_dir=ROOT / "rubrics", data_dir=tmp_path_factory.mktemp("data"), reconnect_grace_s=1
    )
    with serve(settings) as host:
        yield host, settings


@pytest.fixture(scope="module")
def telephony_key(server: tuple[str, Settings]) -> str:
    db_settings = server[1]
    from app.auth import service
    from app.store.db import Database

    db = Database(db_settings.db_url)
    try:
        with db.session() as s:
            _, key = service.create_api_key(s, "twilio and genesys", "telephony")
        return key
    finally:
        db.close()


@pytest.fixture(scope="module")
def rep_key(server: tuple[str, Settings]) -> str:
    return add_account(server[1], "rep-tel", "rep")


async def _twilio_refusal(host: str, messages: list[Any]) -> tuple[int, str]:
    async with websockets.connect(f"ws://{host}/v1/telephony/twilio") as ws:
        for m in messages:
            await ws.send(m if isinstance(m, bytes) else json.dumps(m))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 20)
    rcvd = closed.value.rcvd
    assert rcvd is not None
    return rcvd.code, rcvd.reason


CONNECTED = {"event": "connected", "protocol": "Call", "version": "1.0.0"}


def test_twilio_stream_refusals(
    server: tuple[str, Settings], telephony_key: str, rep_key: str
) -> None:
    host, _ = server

    def refused(*messages: Any) -> tuple[int, str]:
        return asyncio.run(_twilio_refusal(host, list(messages)))

    assert refused(CONNECTED, _twilio_start()) == (
        1008,
        "invalid or missing token (a Parameter 'token')",
    )
    assert refused(CONNECTED, _twilio_start(token="hk_wrong"))[0] == 1008
    assert refused(CONNECTED, _twilio_start(token=rep_key)) == (
        1008,
        "this key may not stream telephony calls",
    )
    code, reason = refused(CONNECTED, _twilio_start(token=telephony_key, language="fr-FR"))
    assert code == 1008 and "not supported" in reason
    assert refused(CONNECTED, _twilio_start(seq=2, token=telephony_key)) == (
        1002,
        "sequenceNumber 2 after 0",
    )
    media = {
        "event": "media",
        "sequenceNumber": "1",
        "streamSid": _sid("MZ"),
        "media": {"track": "inbound", "chunk": "1", "timestamp": "0", "payload": ""},
    }
    assert refused(CONNECTED, media) == (1002, "'media' before 'start'")
    assert refused(CONNECTED, {"event": "hangup"})[0] == 1003
    assert refused(b"\xff\x00") == (1003, "Media Streams send JSON text frames")
    assert refused(CONNECTED, "{oops")[0] == 1007


def _ah_headers(key: str | None, session: str, **override: str) -> dict[str, str]:
    headers = {
        "Audiohook-Organization-Id": ORG,
        "Audiohook-Session-Id": session,
        "Audiohook-Correlation-Id": str(uuid.uuid4()),
    }
    if key is not None:
        headers["X-API-KEY"] = key
    return {**headers, **override}


def test_audiohook_refuses_unknown_keys_before_the_upgrade(
    server: tuple[str, Settings], telephony_key: str, rep_key: str
) -> None:
    host, _ = server

    async def status(headers: dict[str, str]) -> int:
        with pytest.raises(InvalidStatus) as err:
            async with websockets.connect(
                f"ws://{host}/v1/telephony/audiohook", additional_headers=headers
            ):
                pass
        return err.value.response.status_code

    session = str(uuid.uuid4())
    assert asyncio.run(status(_ah_headers(None, session))) == 401
    assert asyncio.run(status(_ah_headers("hk_not_a_key", session))) == 401
    assert asyncio.run(status(_ah_headers(rep_key, session))) == 403
    bad = _ah_headers(telephony_key, session, **{"Audiohook-Session-Id": "abc"})
    assert asyncio.run(status(bad)) == 400


class AudioHookClient:
    """The client side of AudioHook as Genesys Cloud runs it: seq/serverseq/position kept."""

    def __init__(self, ws: Any, session: str) -> None:
        self.ws, self.session = ws, session
        self.seq = 0
        self.serverseq = 0
        self.position = 0.0
        self.received: list[dict[str, Any]] = []

    async def send(self, type_: str, parameters: dict[str, Any], **override: Any) -> None:
        self.seq += 1
        message = {
            "version": "2",
            "id": self.session,
            "type": type_,
            "seq": self.seq,
            "serverseq": self.serverseq,
            "position": ah.format_duration(self.position),
            "parameters": parameters,
            **override,
        }
        await self.ws.send(json.dumps(message))

    async def recv(self) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), 60)
            if isinstance(raw, str):
                msg = json.loads(raw)
                assert msg["seq"] == self.serverseq + 1 and msg["id"] == self.session
                assert msg["version"] == "2"
                self.serverseq = msg["seq"]
                self.received.append(msg)
                return msg  # type: ignore[no-any-return]


def _probe_and_errors(host: str, key: str) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        out = []
        # A connection probe (null conversation id): opened, then close/closed; no call stored.
        session = str(uuid.uuid4())
        async with websockets.connect(
            f"ws://{host}/v1/telephony/audiohook", additional_headers=_ah_headers(key, session)
        ) as ws:
            c = AudioHookClient(ws, session)
            await c.send("open", _open_parameters(ah.NULL_UUID, supportedLanguages=True))
            out.append(await c.recv())
            await c.send("ping", {"rtt": "PT0.05S"})
            out.append(await c.recv())
            await ws.send(bytes(320))  # audio in a probe is taken and dropped
            await c.send("close", {"reason": "end"})
            out.append(await c.recv())
        # Protocol violations: each gets `disconnect` (reason error), then close/closed.
        violations: list[Any] = [
            bytes(160),  # audio before open
            {"seq": 5},  # a skipped sequence number
            {"type": "hangup"},  # an unknown message type
            {"serverseq": 9},  # a server seq never sent
            "not json",
            {"id": str(uuid.uuid4())},  # another session's id
        ]
        for violation in violations:
            session = str(uuid.uuid4())
            async with websockets.connect(
                f"ws://{host}/v1/telephony/audiohook",
                additional_headers=_ah_headers(key, session),
            ) as ws:
                c = AudioHookClient(ws, session)
                if isinstance(violation, (bytes, str)):
                    await ws.send(violation)
                else:
                    kind = violation.pop("type", "ping")
                    await c.send(kind, {}, **violation)
                    if "seq" in violation:
                        c.seq = 0  # the server did not take it: the next seq is still 1
                got = await c.recv()
                await c.send("close", {"reason": "disconnect"})
                out.append(got)
                out.append(await c.recv())
        return out

    return asyncio.run(run())


def test_audiohook_probe_and_protocol_violations(
    server: tuple[str, Settings], telephony_key: str
) -> None:
    host, settings_ = server
    got = _probe_and_errors(host, telephony_key)
    opened, pong, closed = got[:3]
    assert opened["type"] == "opened" and opened["clientseq"] == 1
    assert opened["parameters"]["media"] == [
        {"type": "audio", "format": "PCMU", "channels": ["external", "internal"], "rate": 8000}
    ]
    assert "en-US" in opened["parameters"]["supportedLanguages"]
    assert pong["type"] == "pong" and pong["clientseq"] == 2
    assert closed["type"] == "closed" and closed["clientseq"] == 3
    errors = got[3:]
    infos = [errors[i]["parameters"] for i in range(0, len(errors), 2)]
    assert all(errors[i]["type"] == "disconnect" for i in range(0, len(errors), 2))
    assert all(errors[i]["type"] == "closed" for i in range(1, len(errors), 2))
    assert all(p["reason"] == "error" for p in infos)
    words = [
        "Received audio in state PREPARING",
        "Invalid seq value 5 (expected 1",
        "'hangup' is not a supported client message",
        "Invalid serverseq value 9",
        "not valid JSON",
        "Session identifier mismatch",
    ]
    for p, w in zip(infos, words, strict=True):
        assert w in p["info"]
    with httpx.Client(headers=admin_headers(settings_), base_url=f"http://{host}") as http:
        listed = http.get("/v1/calls").json()
    assert not [c for c in listed["items"] if c["id"].startswith("audiohook-")]


# ===== whole calls through the real model =====================================================

TURNS = [
    Turn(REP, "Thanks for calling Lumen Internet, this is Dana. How can I help you today?"),
    Turn(
        CUSTOMER,
        "Hi Dana. I want to cancel my internet service. It drops every evening and I have had "
        "enough.",
    ),
    Turn(
        REP,
        "But did you know that our new fiber plan is twice as fast as any other provider in "
        "the city?",
        gap=-0.6,
    ),
    Turn(
        CUSTOMER,
        "I really do not care about the speed of some new plan, I just want the connection I "
        "already pay for to work in the evening.",
        gap=3.2,
    ),
    Turn(
        REP,
        "Our premium package also comes with a free streaming box and priority support.",
        gap=-0.6,
    ),
    Turn(CUSTOMER, "You are not listening to me."),
    Turn(
        REP,
        "I am sorry. I will send a senior technician tomorrow morning at nine, and I will call "
        "you myself at noon to check that it is fixed.",
        gap=3.2,
    ),
    Turn(CUSTOMER, "Okay, fine. One last try."),
]


@pytest.fixture(scope="module")
def call() -> tuple[np.ndarray, list[Spoken]]:
    return render(TURNS, "en", 2)


def _silent_stretches(spoken: list[Spoken]) -> list[tuple[float, float]]:
    """Two seconds inside each of the two long pauses of the script."""
    return [(spoken[i].start - 2.6, spoken[i].start - 0.6) for i in (3, 6)]


def _mulaw_tracks(audio: np.ndarray) -> list[bytes]:
    """16 kHz float (frames, 2) → one 8 kHz μ-law byte string per track (customer, rep)."""
    low = soxr.resample(audio, SR, 8000)
    return [encode_mulaw(pcm16(low[:, ch])) for ch in range(2)]


async def _subscribe(host: str, call_id: str, headers: dict[str, str]) -> tuple[Any, list]:
    """The events socket of a call that is starting: retried until the call is live."""
    for _ in range(200):
        ws = await websockets.connect(
            f"ws://{host}/v1/calls/{call_id}/events", additional_headers=headers, max_size=None
        )
        first = json.loads(await ws.recv())
        # A live subscription starts with the call as it is now (with `at`); a call that is
        # still being opened may answer from the database first, and close.
        if first["type"] == "call" and first["status"] == "live" and "at" in first:
            return ws, [first]
        await ws.close()
        await asyncio.sleep(0.05)
    raise AssertionError(f"call {call_id} never went live")


async def _collect(ws: Any, events: list[dict[str, Any]]) -> None:
    async for message in ws:
        events.append(json.loads(message))


def _twilio_call(host: str, settings_: Settings, audio: np.ndarray, key: str, spoken: list) -> Any:
    tracks = _mulaw_tracks(audio)
    gaps = _silent_stretches(spoken)
    call_sid = _sid("CA")

    async def run() -> dict[str, Any]:
        start = _twilio_start(token=key, language="en-US", rep="dana", customer="+15555551234")
        start["start"]["callSid"] = call_sid
        stream = start["streamSid"]
        async with websockets.connect(f"ws://{host}/v1/telephony/twilio") as ws:
            await ws.send(json.dumps(CONNECTED))
            await ws.send(json.dumps(start))
            events_ws, events = await _subscribe(
                host, f"twilio-{call_sid}", admin_headers(settings_)
            )
            listener = asyncio.create_task(_collect(events_ws, events))
            seq, chunks, skipped = 1, [0, 0], 0
            for i in range(0, len(tracks[0]), 160):  # 20 ms per message per track
                at = i / 8000
                if any(a <= at < b for a, b in gaps):
                    skipped += 1
                    continue  # nothing sent: the gap in `timestamp` is silence
                for t, name in enumerate(tw.TRACKS):
                    seq += 1
                    chunks[t] += 1
                    payload = base64.b64encode(tracks[t][i : i + 160]).decode()
                    media = {
                        "track": name,
                        "chunk": str(chunks[t]),
                        "timestamp": str(i // 8),
                        "payload": payload,
                    }
                    await ws.send(
                        json.dumps(
                            {
                                "event": "media",
                                "sequenceNumber": str(seq),
                                "streamSid": stream,
                                "media": media,
                            }
                        )
                    )
            stop = {"accountSid": start["start"]["accountSid"], "callSid": call_sid}
            await ws.send(
                json.dumps(
                    {
                        "event": "stop",
                        "sequenceNumber": str(seq + 1),
                        "streamSid": stream,
                        "stop": stop,
                    }
                )
            )
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 120)
            await asyncio.wait_for(listener, 60)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
        assert skipped >= 200
        return {"call_id": f"twilio-{call_sid}", "events": events}

    return asyncio.run(run())


def _audiohook_call(
    host: str, settings_: Settings, audio: np.ndarray, key: str, spoken: list
) -> Any:
    low = soxr.resample(audio, SR, 8000)
    stereo = encode_mulaw(pcm16(low).reshape(-1))  # interleaved: external (customer), internal
    (pause_a, pause_b), (gap_a, gap_b) = _silent_stretches(spoken)
    session = str(uuid.uuid4())
    frame = 1600  # 200 ms, as Genesys's reference client sends

    async def run() -> dict[str, Any]:
        async with websockets.connect(
            f"ws://{host}/v1/telephony/audiohook",
            additional_headers=_ah_headers(key, session),
            max_size=None,
        ) as ws:
            c = AudioHookClient(ws, session)
            await c.send("open", _open_parameters(customConfig={"rep": "dana"}))
            opened = await c.recv()
            assert opened["type"] == "opened"
            events_ws, events = await _subscribe(
                host, f"audiohook-{session}", admin_headers(settings_)
            )
            listener = asyncio.create_task(_collect(events_ws, events))
            total = len(low)
            pos = 0
            paused = discarded = False
            while pos < total:
                at = pos / 8000
                if not paused and pause_a <= at < pause_b:
                    await c.send("paused", {})
                    held = round((pause_b - at) * 8000) // frame * frame
                    await c.send("ping", {})
                    assert (await c.recv())["type"] == "pong"
                    # The position does not move while paused; `discarded` says how long it was.
                    await c.send(
                        "resumed",
                        {
                            "start": ah.format_duration(c.position),
                            "discarded": ah.format_duration(held / 8000),
                        },
                    )
                    pos += held
                    paused = True
                    continue
                if not discarded and gap_a <= at < gap_b:
                    lost = round((gap_b - at) * 8000) // frame * frame
                    await c.send(
                        "discarded",
                        {
                            "start": ah.format_duration(c.position),
                            "discarded": ah.format_duration(lost / 8000),
                        },
                    )
                    c.position += lost / 8000
                    pos += lost
                    discarded = True
                    continue
                n = min(frame, total - pos)
                await ws.send(stereo[2 * pos : 2 * (pos + n)])
                c.position += n / 8000
                pos += n
            assert paused and discarded
            await c.send("close", {"reason": "end"})
            closed = await c.recv()
            assert closed["type"] == "closed"
            await asyncio.wait_for(listener, 60)
        return {"call_id": f"audiohook-{session}", "events": events}

    return asyncio.run(run())


def _nudges(events: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    return [(e["rubric"], e["kind"], e["at"]) for e in events if e["type"] == "nudge"]


def _scorecard(events: list[dict[str, Any]]) -> dict[str, Any]:
    cards = [e["scorecard"] for e in events if e["type"] == "scorecard"]
    assert len(cards) == 1
    return cards[0]  # type: ignore[no-any-return]


def _same_coaching(native: list[dict[str, Any]], other: list[dict[str, Any]]) -> None:
    a, b = _nudges(native), _nudges(other)
    assert [(r, k) for r, k, _ in a] == [(r, k) for r, k, _ in b]
    for (_, _, ta), (_, _, tb) in zip(a, b, strict=True):
        assert tb == pytest.approx(ta, abs=0.5)  # 8 kHz μ-law: voice activity edges move a little
    va = {k: v["verdict"] for k, v in _scorecard(native)["verdicts"].items()}
    vb = {k: v["verdict"] for k, v in _scorecard(other)["verdicts"].items()}
    assert va == vb


async def _warm_up(host: str, key: str) -> None:
    """A call with no audio, so the model is loaded before the timed streams start (a busy
    machine can take longer than a websocket keepalive to load it)."""
    async with websockets.connect(
        f"ws://{host}/v1/calls/warm-up/audio",
        additional_headers={"Authorization": f"Bearer {key}"},
        ping_interval=None,
    ) as ws:
        start = {
            "type": "start",
            "language": "en",
            "sample_rate": 16000,
            "participants": [{"id": p.id, "role": p.role} for p in PEOPLE],
        }
        await ws.send(json.dumps(start))
        assert json.loads(await asyncio.wait_for(ws.recv(), 300))["type"] == "started"
        await ws.send(json.dumps({"type": "stop"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 300))["type"] == "stopped"


@pytest.fixture(scope="module")
def native(server: tuple[str, Settings], call: tuple[np.ndarray, list[Spoken]]) -> Any:
    host, settings_ = server
    asyncio.run(_warm_up(host, admin_key(settings_)))
    result = asyncio.run(
        stream_call(
            f"ws://{host}",
            call[0],
            PEOPLE,
            language="en",
            call_id="tel-native",
            rep_id="dana",
            speed=0,
            token=admin_key(settings_),
        )
    )
    assert result.scorecard is not None and _nudges(result.events)  # something to compare
    return result


@pytest.mark.slow
def test_twilio_call_coaches_like_the_native_socket(
    server: tuple[str, Settings], telephony_key: str, call: Any, native: Any
) -> None:
    host, settings_ = server
    got = _twilio_call(host, settings_, call[0], telephony_key, call[1])
    _same_coaching(native.events, got["events"])
    assert any(
        "not listening" in e["text"].lower() for e in got["events"] if e["type"] == "transcript"
    )
    with httpx.Client(headers=admin_headers(settings_), base_url=f"http://{host}") as http:
        stored = http.get(f"/v1/calls/{got['call_id']}").json()
    assert stored["status"] == "ended" and stored["rep_id"] == "dana"
    assert [(p["role"], p["name"]) for p in stored["participants"]] == [
        ("customer", "+15555551234"),
        ("rep", ""),
    ]
    # Every sample is there: the skipped 20 ms chunks came back as silence.
    assert stored["duration"] == pytest.approx(len(call[0]) / SR, abs=0.05)


@pytest.mark.slow
def test_audiohook_call_coaches_like_the_native_socket(
    server: tuple[str, Settings], telephony_key: str, call: Any, native: Any
) -> None:
    host, settings_ = server
    got = _audiohook_call(host, settings_, call[0], telephony_key, call[1])
    _same_coaching(native.events, got["events"])
    with httpx.Client(headers=admin_headers(settings_), base_url=f"http://{host}") as http:
        stored = http.get(f"/v1/calls/{got['call_id']}").json()
    assert stored["status"] == "ended" and stored["rep_id"] == "dana"
    assert [(p["role"], p["name"]) for p in stored["participants"]] == [
        ("customer", "John Doe"),
        ("rep", ""),
    ]
    # The pause and the discarded audio were call time: the call is as long as the recording.
    assert stored["duration"] == pytest.approx(len(call[0]) / SR, abs=0.05)


# ===== TwiML ==================================================================================


def test_twiml_for_the_voice_webhook(
    server: tuple[str, Settings], telephony_key: str, rep_key: str
) -> None:
    from xml.etree import ElementTree

    host, _ = server
    with httpx.Client(base_url=f"http://{host}") as http:
        got = http.get(
            "/v1/telephony/twilio/twiml",
            params={"language": "he-IL", "rep": "dana"},
            headers={"X-API-Key": telephony_key},
        )
        assert got.status_code == 200 and got.headers["content-type"] == "application/xml"
        stream = ElementTree.fromstring(got.text).find("Start/Stream")
        assert stream is not None and stream.attrib == {
            "url": f"ws://{host}/v1/telephony/twilio",
            "track": "both_tracks",
            "name": "hakshev",
        }
        params = {p.attrib["name"]: p.attrib["value"] for p in stream.findall("Parameter")}
        assert params == {"token": telephony_key, "language": "he", "rep": "dana"}
        # As Twilio calls it: POST, form fields, the key as the basic-auth password.
        hook = http.post(
            "/v1/telephony/twilio/twiml",
            params={"redirect": "https://example.com/ivr.xml"},
            data={"CallSid": _sid("CA"), "From": "+15555550100", "To": "+15555550199"},
            auth=("twilio", telephony_key),
        )
        root = ElementTree.fromstring(hook.text)
        params = {p.attrib["name"]: p.attrib["value"] for p in root.iter("Parameter")}
        assert params["customer"] == "+15555550100" and params["token"] == telephony_key
        assert [(e.tag, e.text) for e in root][1] == ("Redirect", "https://example.com/ivr.xml")
        assert http.get("/v1/telephony/twilio/twiml").status_code == 401
        assert http.get("/v1/telephony/twilio/twiml", auth=("x", "hk_nope")).status_code == 401
        rep = http.get("/v1/telephony/twilio/twiml", headers={"X-API-Key": rep_key})
        assert rep.status_code == 403
        bad = http.get(
            "/v1/telephony/twilio/twiml",
            params={"language": "fr"},
            headers={"X-API-Key": telephony_key},
        )
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "language"]


def test_audiohook_refuses_an_unsupported_language(
    server: tuple[str, Settings], telephony_key: str
) -> None:
    host, _ = server
    session = str(uuid.uuid4())

    async def run() -> list[dict[str, Any]]:
        async with websockets.connect(
            f"ws://{host}/v1/telephony/audiohook",
            additional_headers=_ah_headers(telephony_key, session),
        ) as ws:
            c = AudioHookClient(ws, session)
            await c.send("open", _open_parameters(language="fr-FR"))
            got = [await c.recv()]
            await c.send("close", {"reason": "disconnect"})
            got.append(await c.recv())
            return got

    disconnect, closed = asyncio.run(run())
    assert disconnect["type"] == "disconnect" and disconnect["parameters"]["reason"] == "error"
    assert "fr-FR" in disconnect["parameters"]["info"] and closed["type"] == "closed"


# ===== errors in streams that are open (the model is loaded by now) ===========================


@pytest.mark.slow
def test_audiohook_errors_in_an_open_session(
    server: tuple[str, Settings], telephony_key: str, native: Any
) -> None:
    host, settings_ = server

    async def session(mistake: str) -> list[dict[str, Any]]:
        sid = str(uuid.uuid4())
        async with websockets.connect(
            f"ws://{host}/v1/telephony/audiohook",
            additional_headers=_ah_headers(telephony_key, sid),
        ) as ws:
            c = AudioHookClient(ws, sid)
            await c.send("open", _open_parameters())
            got = [await c.recv()]
            await ws.send(bytes(1600))  # 100 ms of stereo PCMU
            c.position = 0.1
            if mistake == "audio while paused":
                await c.send("paused", {})
                await ws.send(bytes(1600))
            else:
                await ws.send(bytes(3))  # not a whole stereo frame
            got.append(await c.recv())
            await c.send("close", {"reason": "error"})
            got.append(await c.recv())
            return got

    paused = asyncio.run(session("audio while paused"))
    partial = asyncio.run(session("partial frame"))
    assert (
        [m["type"] for m in paused]
        == [m["type"] for m in partial]
        == [
            "opened",
            "disconnect",
            "closed",
        ]
    )
    assert paused[1]["parameters"]["info"] == "Received audio in state PAUSED"
    assert (
        "3 bytes is not a whole number of 2-channel PCMU frames"
        in (partial[1]["parameters"]["info"])
    )


@pytest.mark.slow
def test_twilio_error_mid_stream_keeps_the_audio(
    server: tuple[str, Settings], telephony_key: str, native: Any
) -> None:
    host, settings_ = server
    start = _twilio_start(token=telephony_key)
    call_id = f"twilio-{start['start']['callSid']}"

    async def run() -> tuple[int, str]:
        async with websockets.connect(f"ws://{host}/v1/telephony/twilio") as ws:
            await ws.send(json.dumps(CONNECTED))
            await ws.send(json.dumps(start))
            for seq in range(2, 102):  # one second on the inbound track
                media = {
                    "track": "inbound",
                    "chunk": str(seq - 1),
                    "timestamp": str(10 * (seq - 2)),
                    "payload": base64.b64encode(bytes([0xFF]) * 80).decode(),
                }
                # 10 ms chunks here; a skipped sequence number at the end
                number = seq if seq < 101 else 150
                message = {
                    "event": "media",
                    "sequenceNumber": str(number),
                    "streamSid": start["streamSid"],
                    "media": media,
                }
                await ws.send(json.dumps(message))
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 60)
        rcvd = closed.value.rcvd
        assert rcvd is not None
        return rcvd.code, rcvd.reason

    assert asyncio.run(run()) == (1002, "sequenceNumber 150 after 100")
    # The call waits for a reconnect (1 s here), then is finished with what it received.
    with httpx.Client(headers=admin_headers(settings_), base_url=f"http://{host}") as http:
        for _ in range(300):
            stored = http.get(f"/v1/calls/{call_id}").json()
            if stored.get("status") == "ended":
                break
            time.sleep(0.1)
    assert stored["status"] == "ended"
    assert stored["duration"] == pytest.approx(0.99, abs=0.02)


@pytest.mark.slow
def test_telephony_calls_keep_the_keys_limits(
    server: tuple[str, Settings], telephony_key: str, native: Any
) -> None:
    host, settings_ = server
    from app.auth import service
    from app.store.db import Database

    db = Database(settings_.db_url)
    try:
        with db.session() as s:
            _, one_call = service.create_api_key(s, "one line", "telephony", max_calls=1)
    finally:
        db.close()

    async def two_sessions() -> list[dict[str, Any]]:
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        url = f"ws://{host}/v1/telephony/audiohook"
        async with (
            websockets.connect(url, additional_headers=_ah_headers(one_call, first)) as a,
            websockets.connect(url, additional_headers=_ah_headers(one_call, second)) as b,
        ):
            ca, cb = AudioHookClient(a, first), AudioHookClient(b, second)
            await ca.send("open", _open_parameters())
            assert (await ca.recv())["type"] == "opened"
            await a.send(bytes(1600))
            await asyncio.sleep(1.0)  # the first call is open by now
            await cb.send("open", _open_parameters())
            got = [await cb.recv(), await cb.recv()]
            for c in (ca, cb):
                await c.send("close", {"reason": "end"})
            got += [await ca.recv(), await cb.recv()]
            return got

    opened, refused, closed_a, closed_b = asyncio.run(two_sessions())
    assert opened["type"] == "opened" and refused["type"] == "disconnect"
    assert "already has 1 live call(s)" in refused["parameters"]["info"]
    assert closed_a["type"] == closed_b["type"] == "closed"

    # The longest call (HAKSHEV_MAX_CALL_MINUTES, read when the audio comes): what fits is kept.
    start = _twilio_start(token=telephony_key)
    call_id = f"twilio-{start['start']['callSid']}"

    async def too_long() -> tuple[int, str]:
        async with websockets.connect(f"ws://{host}/v1/telephony/twilio") as ws:
            await ws.send(json.dumps(CONNECTED))
            await ws.send(json.dumps(start))
            seq = 1
            for i in range(150):  # 3 s on both tracks
                for track in tw.TRACKS:
                    seq += 1
                    media = {
                        "track": track,
                        "chunk": str(i + 1),
                        "timestamp": str(20 * i),
                        "payload": base64.b64encode(bytes([0xFF]) * 160).decode(),
                    }
                    message = {
                        "event": "media",
                        "sequenceNumber": str(seq),
                        "streamSid": start["streamSid"],
                        "media": media,
                    }
                    try:
                        await ws.send(json.dumps(message))
                    except ConnectionClosed:
                        break
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 60)
        rcvd = closed.value.rcvd
        assert rcvd is not None
        return rcvd.code, rcvd.reason

    longest = settings_.max_call_minutes
    settings_.max_call_minutes = 0.02  # 1.2 s
    try:
        code, reason = asyncio.run(too_long())
    finally:
        settings_.max_call_minutes = longest
    assert (code, reason) == (1008, "the call reached its longest (0.02 minutes)")
    with httpx.Client(headers=admin_headers(settings_), base_url=f"http://{host}") as http:
        stored = http.get(f"/v1/calls/{call_id}").json()
    assert stored["status"] == "ended" and stored["duration"] == pytest.approx(1.2, abs=0.01)
