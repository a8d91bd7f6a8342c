"""Streaming voice activity per track with Silero VAD (the ONNX model bundled in faster-whisper).

Silero v6 is an LSTM over 32 ms windows (512 samples at 16 kHz, each with the previous 64 samples
as context). faster-whisper runs it over a whole file at once; here the LSTM state and the context
are carried from one chunk to the next, so a live track and a file give the same probabilities.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16000
WINDOW = 512  # samples per Silero window at 16 kHz (32 ms)
_CONTEXT = 64


@lru_cache(maxsize=1)
def _session():  # type: ignore[no-untyped-def]
    import onnxruntime
    from faster_whisper.utils import get_assets_path

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    path = os.path.join(get_assets_path(), "silero_vad_v6.onnx")
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"], sess_options=opts)


class SileroStream:
    """Speech probability per 32 ms window of one 16 kHz track, fed in chunks of any length."""

    def __init__(self) -> None:
        self._session = _session()
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Feed samples; return the probabilities of every window completed by them."""
        buf = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        n = len(buf) // WINDOW
        self._pending = buf[n * WINDOW :]
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        windows = buf[: n * WINDOW].reshape(n, WINDOW)
        context = np.vstack([self._context[None, :], windows[:-1, -_CONTEXT:]])
        batch = np.concatenate([context, windows], axis=1)
        self._context = windows[-1, -_CONTEXT:].copy()
        probs, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        return np.asarray(probs, dtype=np.float32).reshape(-1)


@dataclass(frozen=True, slots=True)
class VadOptions:
    """Silero hysteresis and timing; names carry their units (as faster-whisper's VadOptions)."""

    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_speech_duration_ms: int = 200
    min_silence_duration_ms: int = 500
    # Audio handed to Whisper is padded so word edges are not cut; turn times are not, so a
    # 0.8 s "mm-hm" stays a backchannel (under 1 s) for the rubrics.
    speech_pad_ms: int = 150
    # A long turn is cut for Whisper at a pause once it is this long, so the text at the end of
    # the turn only waits for the last piece (and the pieces before are done meanwhile).
    soft_max_utterance_s: float = 8.0
    split_pause_ms: int = 200
    # Inside an utterance, audio is sent ahead to Whisper in pieces cut at a pause once a piece
    # is this long; the final's text is the pieces' texts joined (see app.asr.service).
    piece_s: float = 3.0
    # After this much silence the utterance so far is sent ahead as a speculative final.
    speculate_after_ms: int = 250

    @property
    def start_lag_s(self) -> float:
        """How long after speech starts it is confirmed (and reported)."""
        return self.min_speech_duration_ms / 1000

    @property
    def hangover_s(self) -> float:
        """How long after speech stops its end is known (silence wait plus a window)."""
        return (self.min_silence_duration_ms + 2 * 32) / 1000
