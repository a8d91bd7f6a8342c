"""Telephone audio to the pipeline's PCM: G.711 μ-law and L16 at 8 kHz, up to 16 kHz.

μ-law goes through FFmpeg's `pcm_mulaw` codec (PyAV), not a hand-written table: Python 3.11's
`audioop` is deprecated and `audioop-lts` exists only for 3.13+. Resampling is soxr's streaming
resampler, one per call (its channels are resampled independently), so the boundaries between
the small packets a telephony platform sends add no artefacts.
"""

from __future__ import annotations

import av
import numpy as np
import soxr

TELEPHONY_RATE = 8000
PIPELINE_RATE = 16000


class MulawDecoder:
    """G.711 μ-law bytes → int16 samples. Every byte is one sample, so an interleaved stereo
    payload decodes to interleaved stereo samples."""

    def __init__(self) -> None:
        self._ctx = av.CodecContext.create("pcm_mulaw", "r")
        self._ctx.sample_rate = TELEPHONY_RATE
        self._ctx.layout = "mono"

    def decode(self, data: bytes) -> np.ndarray:
        if not data:
            return np.zeros(0, dtype=np.int16)
        frames = [f.to_ndarray().reshape(-1) for f in self._ctx.decode(av.Packet(data))]
        return np.concatenate(frames).astype(np.int16, copy=False) if frames else np.zeros(0, "<i2")


def decode_l16(data: bytes) -> np.ndarray:
    """AudioHook's L16: 16-bit signed little-endian linear PCM (as in Genesys's reference code)."""
    return np.frombuffer(data, dtype="<i2").astype(np.int16)


def encode_mulaw(samples: np.ndarray) -> bytes:
    """int16 samples (mono, or interleaved) → G.711 μ-law bytes, with FFmpeg's encoder."""
    ctx = av.CodecContext.create("pcm_mulaw", "w")
    ctx.sample_rate = TELEPHONY_RATE
    ctx.layout = "mono"
    ctx.format = "s16"
    pcm = np.ascontiguousarray(samples, dtype="<i2").reshape(1, -1)
    if pcm.shape[1] == 0:
        return b""
    frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    frame.sample_rate = TELEPHONY_RATE
    packets = [*ctx.encode(frame), *ctx.encode(None)]
    return b"".join(bytes(p) for p in packets)


class Upsampler:
    """Interleaved int16 frames at 8 kHz → interleaved little-endian int16 bytes at 16 kHz,
    streaming: call `push` with each block, `end` once at the end for the filter's tail."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self._stream = soxr.ResampleStream(
            TELEPHONY_RATE, PIPELINE_RATE, channels, dtype="float32", quality="HQ"
        )

    def push(self, frames: np.ndarray, *, last: bool = False) -> bytes:
        x = frames.reshape(-1, self.channels).astype(np.float32) / 32768.0
        y = self._stream.resample_chunk(x, last=last)
        return np.clip(np.round(y * 32768.0), -32768, 32767).astype("<i2").tobytes()

    def end(self) -> bytes:
        return self.push(np.zeros((0, self.channels), dtype=np.int16), last=True)
