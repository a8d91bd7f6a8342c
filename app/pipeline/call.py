"""One call's audio through the stages: tracks → voice activity → turns → engine.

`CallPipeline` is synchronous and clock-free; the drivers decide how to run it. Utterance audio
comes back to the driver, which transcribes it (in a worker thread, live) and hands the text to
`add_transcript`. Call time is the count of samples fed, so a file, a live stream and a stream
sent faster than real time all give the same events.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from app.audio.segmenter import TrackSegmenter
from app.audio.vad import SAMPLE_RATE, VadOptions
from app.core.events import SpeechEnded, SpeechStarted, Transcript, UtteranceAudio
from app.engine.engine import CallEngine, EngineOutput, Scorecard

MONO_SPEAKER = "mix"
PipelineEvent = EngineOutput | SpeechStarted | SpeechEnded | UtteranceAudio


def _time_of(ev: SpeechStarted | SpeechEnded | UtteranceAudio) -> float:
    if isinstance(ev, SpeechStarted):
        return ev.at
    return ev.end


class CallPipeline:
    def __init__(
        self,
        engine: CallEngine,
        *,
        partial_interval_s: float | None = 3.0,
        vad: VadOptions | None = None,
        speculate: bool = False,
    ) -> None:
        self.engine = engine
        info = engine.call
        speakers = [MONO_SPEAKER] if info.mono else [p.id for p in info.participants]
        vad = vad or VadOptions()
        self.segmenters = [TrackSegmenter(s, vad, partial_interval_s, speculate) for s in speakers]
        engine.state.lag_s = vad.hangover_s
        self.samples = 0

    @property
    def channels(self) -> int:
        return len(self.segmenters)

    @property
    def now(self) -> float:
        return self.samples / SAMPLE_RATE

    def feed(self, frames: np.ndarray) -> list[PipelineEvent]:
        """Feed 16 kHz float32 frames, shape (n, channels); return what happened, in order."""
        if frames.ndim != 2 or frames.shape[1] != self.channels:
            raise ValueError(f"expected frames of shape (n, {self.channels}), got {frames.shape}")
        events: list[SpeechStarted | SpeechEnded | UtteranceAudio] = []
        for i, seg in enumerate(self.segmenters):
            events.extend(seg.process(frames[:, i]))
        self.samples += len(frames)
        return self._dispatch(events, self.now)

    def _dispatch(
        self, events: Iterable[SpeechStarted | SpeechEnded | UtteranceAudio], now: float
    ) -> list[PipelineEvent]:
        out: list[PipelineEvent] = []
        for ev in sorted(events, key=_time_of):
            out += self.engine.advance(_time_of(ev))
            if isinstance(ev, SpeechStarted):
                out += self.engine.speech_started(ev)
            elif isinstance(ev, SpeechEnded):
                out += self.engine.speech_ended(ev)
            out.append(ev)
        out += self.engine.advance(now)
        return out

    def add_transcript(self, t: Transcript) -> list[EngineOutput]:
        return self.engine.transcript(t)

    def close(self) -> list[PipelineEvent]:
        """End of audio: close open turns (their final utterances come back for transcription)."""
        events: list[SpeechStarted | SpeechEnded | UtteranceAudio] = []
        for seg in self.segmenters:
            events.extend(seg.flush())
        return self._dispatch(events, self.now)

    def finish(self) -> Scorecard:
        return self.engine.finish(self.now)


def replay_transcripts(
    engine: CallEngine, transcripts: list[Transcript], vad: VadOptions | None = None
) -> list[EngineOutput]:
    """The transcript driver: a labelled call enters the engine as the events live audio makes,
    when live audio would make them — a speech start once the VAD has confirmed it, a speech end
    and the final text once the VAD's silence wait has passed — with the same call times. So a
    transcript gets exactly the nudges the same call would get live."""
    vad = vad or VadOptions()
    start_lag, end_lag = vad.start_lag_s, vad.hangover_s
    engine.state.lag_s = end_lag
    timeline: list[tuple[float, int, SpeechStarted | SpeechEnded | Transcript]] = []
    for t in transcripts:
        timeline.append((t.start + start_lag, 1, SpeechStarted(t.speaker, t.start)))
        timeline.append((t.end + end_lag, 0, SpeechEnded(t.speaker, t.start, t.end)))
        timeline.append((t.end + end_lag, 2, t))
    timeline.sort(key=lambda item: (item[0], item[1]))
    out: list[EngineOutput] = []
    open_count: dict[str, int] = {}
    for known_at, _, ev in timeline:
        out += engine.advance(known_at)
        if isinstance(ev, SpeechStarted):
            # A speaker's overlapping utterances (a labelled file may have them) make one stretch.
            open_count[ev.speaker] = open_count.get(ev.speaker, 0) + 1
            if open_count[ev.speaker] == 1:
                out += engine.speech_started(ev)
        elif isinstance(ev, SpeechEnded):
            open_count[ev.speaker] -= 1
            if open_count[ev.speaker] == 0:
                seg = engine.state.open.get(ev.speaker)
                start = seg.start if seg is not None else ev.start
                out += engine.speech_ended(SpeechEnded(ev.speaker, start, ev.end))
        else:
            out += engine.transcript(ev)
    return out
