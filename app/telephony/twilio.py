"""Twilio Media Streams: the messages Twilio sends over the websocket, validated.

A one-way stream (`<Start><Stream track="both_tracks">`) sends, as JSON text frames: `connected`,
`start` (stream and call ids, tracks, the `<Parameter>`s as `customParameters`, the media format:
audio/x-mulaw, 8000 Hz, mono per track), then `media` (track `inbound` — the caller, here the
customer — or `outbound` — what the caller hears, the rep; `chunk`, `timestamp` in ms since the
stream started, a base64 μ-law `payload`), `dtmf`, `mark` and finally `stop`. `sequenceNumber`
counts every message after `connected` from 1.

Twilio reads nothing back on a one-way stream; an error is a websocket close with a code and a
reason (Twilio's debugger shows them): 1007 malformed message, 1003 unknown event, 1002 a
message out of order (before `start`, a wrong `sequenceNumber` or `streamSid`), 1008 refused by
policy (no or bad token, an unsupported format, a call already ended).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.live.protocol import INVALID_PAYLOAD, POLICY_VIOLATION, UNSUPPORTED_DATA

PROTOCOL_ERROR = 1002
MAX_MESSAGE_CHARS = 64 * 1024
# inbound: the caller (the customer); outbound: what Twilio plays to the caller (the rep).
TRACKS = ("inbound", "outbound")
TRACK_ROLES = {"inbound": "customer", "outbound": "rep"}
SID = re.compile(r"^[A-Za-z]{2}[0-9a-fA-F]{32}$")


class TwilioError(Exception):
    """A message Twilio's stream may not send: close the websocket with `code` and `reason`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class _Model(BaseModel):
    # Twilio adds fields over time: unknown ones are ignored, known ones are checked.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class MediaFormat(_Model):
    encoding: str
    sample_rate: int = Field(alias="sampleRate")
    channels: int


class StartInfo(_Model):
    stream_sid: str = Field(alias="streamSid", pattern=SID.pattern)
    account_sid: str = Field("", alias="accountSid", max_length=64)
    call_sid: str = Field(alias="callSid", pattern=SID.pattern)
    tracks: list[Literal["inbound", "outbound"]] = Field(min_length=1, max_length=2)
    custom_parameters: dict[str, str] = Field(default_factory=dict, alias="customParameters")
    media_format: MediaFormat = Field(alias="mediaFormat")


class Start(_Model):
    event: Literal["start"]
    sequence_number: int = Field(alias="sequenceNumber", ge=1)
    stream_sid: str = Field(alias="streamSid")
    start: StartInfo


class MediaInfo(_Model):
    track: Literal["inbound", "outbound"]
    chunk: int = Field(ge=1)
    timestamp: int = Field(ge=0, le=86_400_000)
    payload: bytes

    @field_validator("payload", mode="before")
    @classmethod
    def _base64(cls, v: Any) -> bytes:
        if not isinstance(v, str):
            raise ValueError("payload must be a base64 string")
        try:
            return base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("payload is not valid base64") from exc


class Media(_Model):
    event: Literal["media"]
    sequence_number: int = Field(alias="sequenceNumber", ge=1)
    stream_sid: str = Field(alias="streamSid")
    media: MediaInfo


class Stop(_Model):
    event: Literal["stop"]
    sequence_number: int = Field(alias="sequenceNumber", ge=1)
    stream_sid: str = Field(alias="streamSid")


class Other(_Model):
    """`dtmf` and `mark`: in sequence, otherwise not used here."""

    event: Literal["dtmf", "mark"]
    sequence_number: int = Field(alias="sequenceNumber", ge=1)
    stream_sid: str = Field(alias="streamSid")


class Connected(_Model):
    event: Literal["connected"]
    protocol: str = ""
    version: str = ""


Message = Connected | Start | Media | Stop | Other
_MODELS: dict[str, type[BaseModel]] = {
    "connected": Connected,
    "start": Start,
    "media": Media,
    "stop": Stop,
    "dtmf": Other,
    "mark": Other,
}


def parse_message(text: str) -> Message:
    """One text frame → its message, or `TwilioError`."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise TwilioError(INVALID_PAYLOAD, "message over 64 KiB")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TwilioError(INVALID_PAYLOAD, f"not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise TwilioError(INVALID_PAYLOAD, "a message is a JSON object with an 'event'")
    model = _MODELS.get(data["event"])
    if model is None:
        raise TwilioError(UNSUPPORTED_DATA, f"unknown event {data['event'][:40]!r}")
    try:
        return model.model_validate(data)  # type: ignore[return-value]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or data["event"]
        raise TwilioError(
            INVALID_PAYLOAD, f"{data['event']}: {where}: {first['msg']}"[:120]
        ) from exc


def check_format(start: StartInfo) -> None:
    fmt = start.media_format
    if (fmt.encoding.lower(), fmt.sample_rate, fmt.channels) != ("audio/x-mulaw", 8000, 1):
        raise TwilioError(
            POLICY_VIOLATION,
            f"unsupported media format {fmt.encoding} {fmt.sample_rate} Hz x{fmt.channels}",
        )


class Sequence:
    """`sequenceNumber` is 1 on `start` and one more on every message after it; `streamSid` is
    the one `start` gave."""

    def __init__(self) -> None:
        self.last = 0
        self.stream_sid: str | None = None

    def check(self, message: Message) -> None:
        if isinstance(message, Connected):
            if self.last:
                raise TwilioError(PROTOCOL_ERROR, "'connected' after 'start'")
            return
        if isinstance(message, Start):
            if self.stream_sid is not None:
                raise TwilioError(PROTOCOL_ERROR, "a second 'start'")
            if message.stream_sid != message.start.stream_sid:
                raise TwilioError(INVALID_PAYLOAD, "start: streamSid differs from start.streamSid")
            self.stream_sid = message.stream_sid
        elif self.stream_sid is None:
            raise TwilioError(PROTOCOL_ERROR, f"'{message.event}' before 'start'")
        elif message.stream_sid != self.stream_sid:
            raise TwilioError(
                PROTOCOL_ERROR, f"streamSid {message.stream_sid[:40]!r} is not this stream's"
            )
        if message.sequence_number != self.last + 1:
            raise TwilioError(
                PROTOCOL_ERROR,
                f"sequenceNumber {message.sequence_number} after {self.last}",
            )
        self.last = message.sequence_number
