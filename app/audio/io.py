"""Decoding recordings (WAV, FLAC, MP3, …) into per-channel 16 kHz float32 tracks with PyAV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soxr

SAMPLE_RATE = 16000


class AudioError(ValueError):
    pass


def load_audio(path: Path | str) -> np.ndarray:
    """The recording as float32 samples, shape (frames, channels), at 16 kHz; channels kept."""
    import av

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise AudioError(f"{path}: not a readable audio file ({exc})") from exc
    with container:
        if not container.streams.audio:
            raise AudioError(f"{path}: has no audio stream")
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate or stream.rate
        channels = stream.codec_context.channels
        if not rate or not channels:
            raise AudioError(f"{path}: unknown sample rate or channel count")
        # Normalise every frame to planar float at the stream's own rate, channels untouched.
        resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout, rate=rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
        except av.FFmpegError as exc:
            raise AudioError(f"{path}: cannot decode audio ({exc})") from exc
    if not chunks:
        raise AudioError(f"{path}: contains no audio")
    audio = np.concatenate(chunks, axis=1).T.astype(np.float32, copy=False)  # (frames, channels)
    if rate != SAMPLE_RATE:
        audio = soxr.resample(audio, rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
    return np.ascontiguousarray(audio)
