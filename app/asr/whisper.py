"""Utterance transcription with faster-whisper, sized for live coaching on a CPU.

Whisper's encoder is trained on 30 s windows and faster-whisper always pads to 30 s; on a 2-core
CPU that fixed cost (~0.5 s for base) dominates short utterances. Here each utterance is encoded
over its own length plus a short silent tail (like whisper.cpp's `audio_ctx`), which keeps the
text the same on speech and cuts the encoder cost by the ratio of lengths. Decoding reuses
faster-whisper's greedy decode with its log-prob and compression-ratio checks; a decode that
fails them is tried again with beam search, never by sampling at a higher temperature:
CTranslate2's sampler draws from a per-thread generator seeded once, so a sampled fallback made
the same utterance transcribe differently from one call (or run) to the next, and a live call
could then differ from its offline replay.

Guards against Whisper's hallucinations on silence and noise: input is VAD-gated by the caller;
`condition_on_previous_text` is off (each utterance stands alone); a result whose `no_speech_prob`
is high and whose average log-probability is low is dropped, and so is a repetitive one.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
MAX_UTTERANCE_S = 28.0  # Whisper sees at most 30 s; keep room for the silent tail
_TAIL_S = 1.0
_MIN_WINDOW_S = 2.0
SUPPORTED_LANGUAGES = ("he", "en")
# Fast Hebrew runs ~3 words/s at up to ~3 tokens a word; English far fewer tokens.
_TOKENS_BASE = 20  # room for the timestamp tokens too
_TIME_PER_TOKEN = 0.02
_LATE_START_S = 0.2
_TOKENS_PER_S = 7


@dataclass(frozen=True, slots=True)
class AsrResult:
    """What Whisper heard in one utterance; `text` is empty when it judged it not speech."""

    text: str
    language: str
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float


@dataclass(frozen=True, slots=True)
class AsrOptions:
    """Decoding settings; the thresholds are faster-whisper's defaults."""

    beam_size: int = 1
    # Deterministic decoding only: the greedy decode, then beam search where it fails the checks.
    temperatures: tuple[float, ...] = (0.0,)
    fallback_beam_size: int = 5
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    # Whisper's classic "you" / "Thank you." on near-silence comes with a very high no-speech
    # probability and a middling log-probability, which the joint rule above lets through.
    no_speech_hard_threshold: float = 0.85


class WhisperTranscriber:
    """One loaded Whisper model. Calls block: run them in a worker thread, never on the loop."""

    def __init__(
        self,
        model: str,
        *,
        compute_type: str = "int8",
        cpu_threads: int = 1,
        workers: int = 1,
        options: AsrOptions | None = None,
    ) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.transcribe import TranscriptionOptions

        self.name = model
        # `workers` CTranslate2 replicas share the weights; calls from that many threads run
        # side by side (see app.asr.service for why that beats more threads per call).
        self._model = WhisperModel(
            model,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=workers,
        )
        self.multilingual = self._model.model.is_multilingual
        self.options = options or AsrOptions()
        o = self.options
        self._fw_options = TranscriptionOptions(
            beam_size=o.beam_size,
            best_of=5,
            patience=1.0,
            length_penalty=1.0,
            repetition_penalty=1.0,
            no_repeat_ngram_size=0,
            log_prob_threshold=o.log_prob_threshold,
            no_speech_threshold=o.no_speech_threshold,
            compression_ratio_threshold=o.compression_ratio_threshold,
            condition_on_previous_text=False,
            prompt_reset_on_temperature=0.5,
            temperatures=list(o.temperatures),
            initial_prompt=None,
            prefix=None,
            suppress_blank=True,
            suppress_tokens=[-1],
            without_timestamps=False,
            max_initial_timestamp=1.0,
            word_timestamps=False,
            prepend_punctuations="\"'“¿([{-",
            append_punctuations="\"'.。,，!！?？:：”)]}、",
            multilingual=False,
            max_new_tokens=None,
            clip_timestamps="0",
            hallucination_silence_threshold=None,
            hotwords=None,
        )
        self._tokenizers: dict[str, object] = {}
        self._tokenizer_lock = threading.Lock()

    def _features(self, audio: np.ndarray) -> np.ndarray:
        audio = np.asarray(audio, dtype=np.float32)[: int(MAX_UTTERANCE_S * SAMPLE_RATE)]
        window = max(len(audio) / SAMPLE_RATE + _TAIL_S, _MIN_WINDOW_S)
        padded = np.zeros(int(window * SAMPLE_RATE), dtype=np.float32)
        padded[: len(audio)] = audio
        features = self._model.feature_extractor(padded)
        frames = min(features.shape[-1] // 2 * 2, 3000)  # the encoder's conv has stride 2
        return np.ascontiguousarray(features[:, :frames])

    def _tokenizer(self, language: str):  # type: ignore[no-untyped-def]
        from faster_whisper.tokenizer import Tokenizer

        key = language if self.multilingual else "en"
        with self._tokenizer_lock:
            if key not in self._tokenizers:
                self._tokenizers[key] = Tokenizer(
                    self._model.hf_tokenizer,
                    self.multilingual,
                    task="transcribe",
                    language=key if self.multilingual else None,
                )
            return self._tokenizers[key]

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        """The more likely of Hebrew and English, with its share of the two probabilities."""
        if not self.multilingual:
            return "en", 1.0
        encoded = self._model.encode(self._features(audio))
        probs = dict(self._model.model.detect_language(encoded)[0])
        he, en = probs.get("<|he|>", 0.0), probs.get("<|en|>", 0.0)
        total = (he + en) or 1.0
        return ("he", he / total) if he > en else ("en", en / total)

    def transcribe(self, audio: np.ndarray, language: str) -> AsrResult:
        """Transcribe one utterance (16 kHz mono float32, at most ~28 s)."""
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"language must be one of {SUPPORTED_LANGUAGES}, not {language!r}")
        if not self.multilingual and language != "en":
            raise ValueError(
                f"model {self.name} is English-only and cannot transcribe {language!r}"
            )
        tokenizer = self._tokenizer(language)
        # Bound the decode by what the audio can hold: a looping decode on noise would otherwise
        # run to Whisper's 448 tokens, once per fallback temperature (seconds of CPU each).
        seconds = min(len(audio) / SAMPLE_RATE, MAX_UTTERANCE_S)
        options = dataclasses.replace(
            self._fw_options, max_new_tokens=int(_TOKENS_BASE + _TOKENS_PER_S * seconds)
        )
        encoded = self._model.encode(self._features(audio))
        prompt = self._model.get_prompt(tokenizer, [], without_timestamps=False)
        result, avg_logprob, _temperature, compression = self._model.generate_with_fallback(
            encoded, prompt, tokenizer, options
        )
        o = self.options
        unsure = avg_logprob < o.log_prob_threshold or compression > o.compression_ratio_threshold
        if unsure and o.fallback_beam_size > o.beam_size:
            # Beam search, deterministic like the greedy decode; the likelier of the two is kept.
            wider = dataclasses.replace(options, beam_size=o.fallback_beam_size)
            beam = self._model.generate_with_fallback(encoded, prompt, tokenizer, wider)
            if beam[3] <= o.compression_ratio_threshold and beam[1] > avg_logprob:
                result, avg_logprob, _temperature, compression = beam
        tokens = _tokens_within(result.sequences_ids[0], tokenizer, seconds)
        text = tokenizer.decode(tokens).strip()
        silent = (
            result.no_speech_prob > o.no_speech_threshold and avg_logprob < o.log_prob_threshold
        ) or result.no_speech_prob > o.no_speech_hard_threshold
        repetitive = compression > o.compression_ratio_threshold
        if silent or repetitive:
            logger.debug(
                "dropped %r (no_speech %.2f, logprob %.2f, compression %.2f)",
                text,
                result.no_speech_prob,
                avg_logprob,
                compression,
            )
            text = ""
        return AsrResult(text, language, result.no_speech_prob, avg_logprob, compression)

    def words(self, audio: np.ndarray, language: str) -> list[tuple[float, float, str]]:
        """(start, end, word) of each word of one utterance, seconds from its start.

        faster-whisper's word timestamps (cross-attention alignment): a second, slower pass over
        the utterance, run only where it is needed (to find private data in the audio)."""
        audio = np.asarray(audio, dtype=np.float32)[: int(MAX_UTTERANCE_S * SAMPLE_RATE)]
        segments, _info = self._model.transcribe(
            audio,
            language=language if self.multilingual else None,
            beam_size=self.options.beam_size,
            temperature=list(self.options.temperatures),
            condition_on_previous_text=False,
            word_timestamps=True,
            vad_filter=False,
        )
        return [(w.start, w.end, w.word) for seg in segments for w in seg.words or ()]


def _tokens_within(ids: list[int], tokenizer, seconds: float) -> list[int]:  # type: ignore[no-untyped-def]
    """Text tokens of the segments that start inside the audio.

    Decoding with timestamps lets Whisper say where its text sits. On a window cut to the
    utterance it sometimes starts the utterance over after the end of the speech ("Hello, this
    is Dana. Hello, this is"): that repeat is timestamped past the audio, and is dropped here.
    """
    kept: list[int] = []
    segment_start = 0.0
    for token in ids:
        if token >= tokenizer.timestamp_begin:
            segment_start = (token - tokenizer.timestamp_begin) * _TIME_PER_TOKEN
            continue
        if token >= tokenizer.eot:
            continue
        if segment_start < seconds - _LATE_START_S:
            kept.append(token)
    return kept
