"""The offline driver: a recording or a labelled transcript → scorecard, through the same
stages and engine as a live call."""

from __future__ import annotations

import dataclasses
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from app.asr.whisper import AsrResult, WhisperTranscriber
from app.audio.io import SAMPLE_RATE, AudioError, load_audio
from app.core.events import Participant, Transcript, UtteranceAudio
from app.engine.engine import Scorecard
from app.engine.state import CallInfo
from app.pipeline.call import CallPipeline, PipelineEvent, replay_transcripts
from app.pipeline.callfile import CallFile
from app.pipeline.resources import Resources
from app.privacy import redactor_for
from app.privacy.audio import Span, private_spans

logger = logging.getLogger(__name__)

CHUNK_S = 0.5  # the offline driver feeds audio in pieces like a live stream does
Progress = Callable[[float], None]


def analyze_transcript(resources: Resources, call: CallFile) -> Scorecard:
    engine = resources.engine(call.info())
    transcripts = call.transcripts()
    redactor = redactor_for(resources.settings)
    if redactor is not None:  # private data never reaches the engine or the scorecard
        transcripts = [
            dataclasses.replace(t, text=redactor.redact(t.text).text) for t in transcripts
        ]
    replay_transcripts(engine, transcripts)
    return engine.finish(max((t.end for t in transcripts), default=0.0))


DEFAULT_STEREO = (Participant("customer", "customer", "Customer"), Participant("rep", "rep", "Rep"))


def call_info_for_audio(
    call_id: str, language: str, participants: list[Participant], channels: int
) -> CallInfo:
    """Match a recording's channels to participants: one channel each, in order.

    A mono recording with several (or no) participants is a mix of the whole call: it is
    transcribed, and rubrics that need to know who spoke say `na`. A two-channel recording with
    no participants named is taken as customer then rep, as contact-centre recorders write it.
    """
    if channels == 1 and len(participants) != 1:
        return CallInfo(call_id, language, tuple(participants), mono=True)
    if channels == 2 and not participants:
        participants = list(DEFAULT_STEREO)
    if len(participants) != channels:
        raise AudioError(
            f"the recording has {channels} channels but {len(participants)} participant(s) "
            "were given: give one participant per channel, in channel order"
        )
    return CallInfo(call_id, language, tuple(participants))


def analyze_samples(
    resources: Resources,
    info: CallInfo,
    audio: np.ndarray,
    *,
    language: str | None = None,
    progress: Progress | None = None,
    private: list[Span] | None = None,
) -> Scorecard:
    """Run 16 kHz float32 audio (frames, channels) through the call pipeline and Whisper.

    Transcripts are redacted (`HAKSHEV_REDACT`) before the engine sees them; if `private` is
    given, the call-time spans that said the redacted data are appended to it (a word-timestamp
    pass over just those utterances), for the caller to silence in a stored recording."""
    engine = resources.engine(info)
    pipeline = CallPipeline(engine, partial_interval_s=None)
    transcriber: WhisperTranscriber = resources.transcriber(info.language)
    pending: deque[tuple[UtteranceAudio, Future[AsrResult | None]]] = deque()
    redactor = redactor_for(resources.settings)

    def collect(block: bool) -> None:
        """Hand finished transcripts to the engine, in the order their utterances ended."""
        while pending and (block or pending[0][1].done()):
            utt, future = pending.popleft()
            result = future.result()
            if result is not None and result.text:
                text = result.text
                if redactor is not None:
                    redacted = redactor.redact(text)
                    text = redacted.text
                    if redacted.hits and private is not None:
                        private.extend(
                            private_spans(
                                transcriber,
                                redactor,
                                utt.samples,
                                info.language,
                                utt.start,
                                utt.end,
                                len(redacted.hits),
                            )
                        )
                pipeline.add_transcript(
                    Transcript(utt.speaker, utt.start, utt.end, text, True, utt.utterance_id)
                )

    def submit(events: list[PipelineEvent]) -> None:
        for ev in events:
            if isinstance(ev, UtteranceAudio) and ev.final:
                pending.append(
                    (ev, resources.asr.submit(info.call_id, transcriber, ev, info.language))
                )
        collect(block=False)

    step = int(CHUNK_S * SAMPLE_RATE)
    for i in range(0, len(audio), step):
        submit(pipeline.feed(audio[i : i + step]))
        if progress is not None:
            progress(min(i + step, len(audio)) / SAMPLE_RATE)
    submit(pipeline.close())
    collect(block=True)
    return pipeline.finish()


def analyze_recording(
    resources: Resources,
    path: Path,
    call_id: str,
    language: str | None,
    participants: list[Participant],
    progress: Callable[[float, float], None] | None = None,
    private: list[Span] | None = None,
) -> Scorecard:
    """A recording file, one channel per participant, through the call pipeline; the language
    is detected (Hebrew or English) when not given. `progress(done_s, total_s)`."""
    audio = load_audio(path)
    info = call_info_for_audio(call_id, language or "en", participants, audio.shape[1])
    if language is None:
        info = dataclasses.replace(info, language=detect_language(resources, audio))
    total = len(audio) / SAMPLE_RATE
    report = None if progress is None else (lambda done: progress(done, total))
    return analyze_samples(resources, info, audio, progress=report, private=private)


def detect_language(resources: Resources, audio: np.ndarray) -> str:
    """Hebrew or English (detection is limited to the two), from the loudest 28 s of speech
    in the first two minutes of the mixed-down call."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    head = mono[: 120 * SAMPLE_RATE]
    window = 28 * SAMPLE_RATE
    if len(head) > window:
        per_second = (head[: len(head) // SAMPLE_RATE * SAMPLE_RATE] ** 2).reshape(-1, SAMPLE_RATE)
        energy = np.convolve(per_second.sum(axis=1), np.ones(28), mode="valid")
        start = int(np.argmax(energy)) * SAMPLE_RATE
        head = head[start : start + window]
    language, _ = resources.language_detector().detect_language(head)
    return language
