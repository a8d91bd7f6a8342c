"""Telephone tracks onto one call time, and from there into a live call.

A platform sends each party's audio as its own track (Twilio), or both interleaved with gaps
announced by messages (AudioHook). Call time is counted in samples, never by the clock: a gap in
a track is silence of the gap's length, so both channels stay aligned and every nudge lands at
the call time it would have in the recording.
"""

from __future__ import annotations

import numpy as np

from app.live.session import LiveCall
from app.telephony.codecs import PIPELINE_RATE, TELEPHONY_RATE, Upsampler

BLOCK_S = 0.2  # audio handed to the pipeline at a time: latency vs. per-block overhead
MAX_SKEW_S = 2.0  # how far one track may run ahead before the other is taken as silent


class TrackAligner:
    """Tracks placed by their own sample positions; `take` returns the frames every track has.

    Audio that starts after the end of what a track has so far is preceded by silence; audio
    that overlaps what was already placed (or already handed on as silence) loses the overlap:
    positions are authoritative. A track that falls `max_skew_s` behind the others is padded
    with silence so the call goes on (a platform that stops sending one side).
    """

    def __init__(
        self,
        tracks: int,
        *,
        active: list[int] | None = None,
        rate: int = TELEPHONY_RATE,
        max_skew_s: float = MAX_SKEW_S,
    ) -> None:
        self.tracks = tracks
        # Tracks the platform sends; the others are silent and never waited for.
        self.active = list(range(tracks)) if active is None else active
        self.emitted = 0  # frames handed on, on every track
        self._pending: list[list[np.ndarray]] = [[] for _ in range(tracks)]
        self._lengths = [0] * tracks
        self._max_skew = int(max_skew_s * rate)

    def end_of(self, track: int) -> int:
        """The sample position just after the last sample placed on `track`."""
        return self.emitted + self._lengths[track]

    def place(self, track: int, start: int, samples: np.ndarray) -> None:
        end = self.end_of(track)
        if start > end:
            self._append(track, np.zeros(start - end, dtype=np.int16))
        elif start < end:
            samples = samples[end - start :]
        if len(samples):
            self._append(track, samples.astype(np.int16, copy=False))

    def _append(self, track: int, samples: np.ndarray) -> None:
        self._pending[track].append(samples)
        self._lengths[track] += len(samples)

    def take(self, *, everything: bool = False) -> np.ndarray:
        """Frames (n, tracks) ready on every track; `everything`: pad the short tracks and take
        all (at the end of the call)."""
        lengths = [self._lengths[t] for t in self.active] or [0]
        longest = max(lengths)
        n = longest if everything else max(min(lengths), longest - self._max_skew)
        if n <= 0:
            return np.zeros((0, self.tracks), dtype=np.int16)
        out = np.zeros((n, self.tracks), dtype=np.int16)
        for t in range(self.tracks):
            have = np.concatenate(self._pending[t]) if self._pending[t] else np.zeros(0, np.int16)
            used = min(n, len(have))
            out[:used, t] = have[:used]
            rest = have[used:]
            self._pending[t] = [rest] if len(rest) else []
            self._lengths[t] = len(rest)
        self.emitted += n
        return out


class CallTooLong(Exception):
    """The call reached `HAKSHEV_MAX_CALL_MINUTES`: what fitted was fed; end the call."""


class CallFeed:
    """8 kHz frames (n, channels) in; 16 kHz blocks of `BLOCK_S` into the live call, up to
    `max_s` of call time (then `CallTooLong`)."""

    def __init__(
        self,
        live: LiveCall,
        channels: int = 2,
        *,
        max_s: float = float("inf"),
        block_s: float = BLOCK_S,
    ) -> None:
        self.live = live
        self.channels = channels
        self.max_s = max_s
        self._up = Upsampler(channels)
        self._block = int(block_s * TELEPHONY_RATE)
        self._buf: list[np.ndarray] = []
        self._buffered = 0
        self.frames = 0  # 8 kHz frames received so far: the call time of the stream

    @property
    def seconds(self) -> float:
        return self.frames / TELEPHONY_RATE

    async def add(self, frames: np.ndarray) -> None:
        if not len(frames):
            return
        self._buf.append(frames.reshape(-1, self.channels))
        self._buffered += len(frames)
        self.frames += len(frames)
        if self._buffered >= self._block:
            await self._flush()

    async def _flush(self, *, last: bool = False) -> None:
        block = (
            np.concatenate(self._buf) if self._buf else np.zeros((0, self.channels), dtype=np.int16)
        )
        self._buf, self._buffered = [], 0
        data = self._up.push(block, last=last)
        frame = 2 * self.channels
        room = int((self.max_s - self.live.pipeline.now) * PIPELINE_RATE) * frame
        over = len(data) > room
        data = data[: max(0, room)] if over else data
        step = frame * PIPELINE_RATE  # at most a second per message, as on the native socket
        for pos in range(0, len(data), step):
            await self.live.feed(data[pos : pos + step])
        if over:
            raise CallTooLong(f"the call reached its longest ({self.max_s / 60:g} minutes)")

    async def end(self) -> None:
        """Everything still buffered, and the resampler's tail."""
        await self._flush(last=True)
