"""Silencing private data in recordings.

Where a transcript was redacted, the words that said it are found in the audio with Whisper's
word timestamps — a second pass over that one utterance, run only when a redaction hit, so a call
without private data costs nothing more — and those samples are zeroed. If the words can't be
matched (the second pass heard the number differently), the whole utterance is silenced: erring
towards silence is the safe side.

All channels are zeroed over the span, not only the speaker's: on a call recorded per channel
the other side's channel carries the speaker's echo and sidetone, and a rep repeating a number
back ("4580, got it") would leave it audible.
"""

from __future__ import annotations

import logging
import wave
from pathlib import Path

import numpy as np

from app.asr.whisper import WhisperTranscriber
from app.privacy.redact import Redactor

logger = logging.getLogger(__name__)

PAD_S = 0.15  # around the matched words: word timestamps are good to a few tens of ms
Span = tuple[float, float]


def private_spans(
    transcriber: WhisperTranscriber,
    redactor: Redactor,
    samples: np.ndarray,
    language: str,
    start: float,
    end: float,
    expected: int = 1,
) -> list[Span]:
    """Call-time spans of the private data said in one utterance (`samples`, 16 kHz mono, from
    call time `start` to `end`), where its transcript had `expected` redactions. Blocking model
    work: run it in a worker thread. If the word pass finds fewer than `expected` (it heard a
    number differently), the whole utterance is returned."""
    try:
        words = transcriber.words(samples, language)
    except Exception:  # the fallback below still silences it
        logger.exception("word timestamps failed; silencing the whole utterance")
        words = []
    text, spans = "", []
    for w_start, w_end, word in words:
        spans.append((len(text), len(text) + len(word), w_start, w_end))
        text += word
    found: list[Span] = []
    hits = redactor.find(text)
    if len(hits) < expected:
        return [(start, end)]
    for hit in hits:
        inside = [(a, b) for cs, ce, a, b in spans if cs < hit.end and hit.start < ce]
        if inside:
            a = min(x for x, _ in inside)
            b = max(y for _, y in inside)
            found.append((max(start, start + float(a) - PAD_S), min(end, start + float(b) + PAD_S)))
    if not found:
        return [(start, end)]
    return merge(found)


def merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def silence_pcm(path: Path, spans: list[Span], sample_rate: int, channels: int) -> int:
    """Zero `spans` (call time, seconds) of a raw interleaved 16-bit PCM file in place; returns
    the number of bytes zeroed. Spans past the end of what was written are cut to it."""
    frame = 2 * channels
    zeroed = 0
    with path.open("r+b") as f:
        size = f.seek(0, 2)
        for a, b in spans:
            first = max(0, int(a * sample_rate)) * frame
            last = min(size, int(np.ceil(b * sample_rate)) * frame)
            if last <= first:
                continue
            f.seek(first)
            f.write(bytes(last - first))
            zeroed += last - first
    return zeroed


def silence_recording(path: Path, spans: list[Span]) -> Path:
    """A stored recording with `spans` zeroed, as 16-bit WAV at 16 kHz (all channels kept).

    A WAV is rewritten in place at its own rate; any other format (MP3, FLAC, …) is decoded and
    written as `<name>.wav` beside it, and the original removed: silencing a compressed stream
    in place isn't possible. Returns the path of the silenced file."""
    if path.suffix.lower() == ".wav":
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() == 2:
                rate, channels = w.getframerate(), w.getnchannels()
                pcm_start = _data_offset(path)
                if pcm_start is not None:
                    _zero_wav(path, pcm_start, spans, rate, channels)
                    return path
    from app.audio.io import SAMPLE_RATE, load_audio

    audio = load_audio(path)
    for a, b in spans:
        audio[max(0, int(a * SAMPLE_RATE)) : max(0, int(np.ceil(b * SAMPLE_RATE)))] = 0.0
    target = path.with_suffix(".wav")
    tmp = target.with_suffix(".wav.tmp")
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(audio.shape[1])
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    tmp.replace(target)
    if target != path:
        path.unlink(missing_ok=True)
    return target


def _data_offset(path: Path) -> int | None:
    """Byte offset of a WAV file's sample data (the `data` chunk), or None."""
    with path.open("rb") as f:
        head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        while chunk := f.read(8):
            if len(chunk) < 8:
                return None
            size = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                return f.tell()
            f.seek(size + (size & 1), 1)
    return None


def _zero_wav(path: Path, offset: int, spans: list[Span], rate: int, channels: int) -> None:
    frame = 2 * channels
    with path.open("r+b") as f:
        size = f.seek(0, 2) - offset
        for a, b in spans:
            first = max(0, int(a * rate)) * frame
            last = min(size, int(np.ceil(b * rate)) * frame)
            if last > first:
                f.seek(offset + first)
                f.write(bytes(last - first))
