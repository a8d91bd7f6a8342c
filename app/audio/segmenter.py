"""Turn events from one speaker's track: speech start and stop, and the audio of each utterance.

Per 32 ms Silero window, with hysteresis (faster-whisper's `get_speech_timestamps` rules, run
incrementally): speech starts on a window at or above `threshold` and is confirmed after
`min_speech_duration_ms`; it ends after `min_silence_duration_ms` below `neg_threshold`, and the
stop is backdated to where the silence began. Times are call time from sample counts.

While a turn goes on, a partial `UtteranceAudio` is cut every `partial_interval_s`. A long turn is
cut into utterances at its pauses (past `soft_max_utterance_s`), and in any case before Whisper's
window is full, at the quietest point of the last seconds.

Inside an utterance the audio goes to Whisper in pieces: once the current piece is `piece_s`
long, it is cut at the next pause and sent ahead (`ahead`) while the speaker goes on, and the
final utterance lists its pieces, so its text is the pieces' texts joined and only the last piece
is left to transcribe when the turn ends. The cuts depend on the audio alone, so a call analysed
offline is cut the same way. Partials cover the current piece. With `speculate`, the current piece
is also sent ahead when a pause begins, marked speculative: if the pause turns out to end the
turn, the final's last piece is the same audio and its transcript is already under way.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from app.asr.whisper import MAX_UTTERANCE_S
from app.audio.vad import SAMPLE_RATE, WINDOW, SileroStream, VadOptions
from app.core.events import SpeechEnded, SpeechStarted, UtteranceAudio

Event = SpeechStarted | SpeechEnded | UtteranceAudio


class TrackSegmenter:
    """Feed 16 kHz float32 samples of one track in order; get its turn events back."""

    def __init__(
        self,
        speaker: str,
        options: VadOptions | None = None,
        partial_interval_s: float | None = 3.0,
        speculate: bool = False,
    ) -> None:
        self.speaker = speaker
        self.opt = options or VadOptions()
        self.partial_interval_s = partial_interval_s
        self.speculate = speculate
        self._turn = -1
        self._vad = SileroStream()
        self._audio = np.zeros(0, dtype=np.float32)  # kept from sample `_audio_origin` on
        self._audio_origin = 0
        self._samples_in = 0
        self._window = 0  # index of the next Silero window
        self._probs: list[float] = []  # probabilities of the current utterance's windows
        self._cand_start: int | None = None  # window index of an unconfirmed start
        self._speech_start: int | None = None  # window index where confirmed speech began
        self._utt_start: int | None = None  # sample where the current utterance begins
        self._piece_start = 0  # sample where the utterance's current piece begins
        self._pieces: list[tuple[int, int]] = []  # the utterance's pieces sent ahead (samples)
        self._silence_start: int | None = None  # window index where a pause began
        self._last_partial = 0
        self._next_id = 0
        pad = int(self.opt.speech_pad_ms * SAMPLE_RATE / 1000)
        self._pad = pad
        self._min_speech = max(1, round(self.opt.min_speech_duration_ms / 32))
        self._min_silence = max(1, round(self.opt.min_silence_duration_ms / 32))
        self._max_utt = int(MAX_UTTERANCE_S * SAMPLE_RATE)
        self._soft_max = int(self.opt.soft_max_utterance_s * SAMPLE_RATE)
        self._piece_len = int(self.opt.piece_s * SAMPLE_RATE)
        self._split_pause = max(1, round(self.opt.split_pause_ms / 32))
        self._speculate_after = max(1, round(self.opt.speculate_after_ms / 32))
        self._last_end = 0  # sample where the previous segment ended

    @property
    def now(self) -> float:
        """Call time up to which this track has been seen."""
        return self._samples_in / SAMPLE_RATE

    @property
    def in_speech(self) -> bool:
        return self._speech_start is not None

    def _slice(self, start: int, end: int) -> np.ndarray:
        lo, hi = start - self._audio_origin, end - self._audio_origin
        return self._audio[max(lo, 0) : max(hi, 0)].copy()

    def _utterance(
        self,
        start: int,
        end: int,
        final: bool,
        speculative: bool = False,
        ahead: bool = False,
        speech_end: int | None = None,
    ) -> UtteranceAudio:
        """Audio from `start` to `end`: the whole utterance for a final (with its pieces; the
        speech in it ends at `speech_end`), the current piece otherwise."""
        assert self._utt_start is not None
        pieces: tuple[tuple[int, int], ...] = ()
        if final:
            spans = list(self._pieces)
            if (end if speech_end is None else speech_end) > self._piece_start:
                # a last piece, unless the speech ended where the previous one was cut
                spans.append((self._piece_start, end))
            if len(spans) > 1:
                pieces = tuple((a - start, b - start) for a, b in spans)
        utt = UtteranceAudio(
            self.speaker,
            self._next_id,
            start / SAMPLE_RATE,
            end / SAMPLE_RATE,
            self._slice(start, end),
            final,
            self._turn,
            speculative,
            ahead,
            pieces,
            self._utt_start / SAMPLE_RATE,
        )
        if final:
            self._next_id += 1
            self._pieces = []
        return utt

    def process(self, samples: np.ndarray) -> Iterator[Event]:
        samples = np.asarray(samples, dtype=np.float32)
        self._audio = np.concatenate([self._audio, samples])
        self._samples_in += len(samples)
        for prob in self._vad.process(samples):
            yield from self._step(float(prob))
        self._trim()

    def _step(self, prob: float) -> Iterator[Event]:
        w = self._window
        self._window += 1
        o = self.opt
        if self._speech_start is None:
            if self._cand_start is None:
                if prob >= o.threshold:
                    self._cand_start, self._silence_start = w, None
                return
            if prob < o.neg_threshold:
                self._silence_start = w if self._silence_start is None else self._silence_start
                if w - self._silence_start >= self._min_silence:
                    self._cand_start = self._silence_start = None
                return
            self._silence_start = None
            if w + 1 - self._cand_start >= self._min_speech:
                self._speech_start = self._cand_start
                self._cand_start = None
                start = max(self._speech_start * WINDOW - self._pad, self._last_end, 0)
                self._utt_start = self._piece_start = start
                self._last_partial = start
                self._turn += 1
                yield SpeechStarted(self.speaker, self._speech_start * WINDOW / SAMPLE_RATE)
            return

        assert self._utt_start is not None
        self._probs.append(prob)
        if prob >= o.threshold:
            self._silence_start = None
        elif prob < o.neg_threshold and self._silence_start is None:
            self._silence_start = w
        here = (w + 1) * WINDOW
        if self._silence_start is not None:
            paused = w - self._silence_start
            if paused >= self._min_silence:
                yield from self._close(self._silence_start * WINDOW)
                return
            pause_at = self._silence_start * WINDOW
            if paused == self._split_pause and pause_at - self._utt_start >= self._soft_max:
                yield from self._cut(pause_at)
                return
            if paused == self._split_pause and pause_at - self._piece_start >= self._piece_len:
                yield self._send_piece(pause_at)
                return
            if self.speculate and paused == self._speculate_after and pause_at > self._piece_start:
                end = min(pause_at + self._pad, self._samples_in)
                yield self._utterance(self._piece_start, end, final=False, speculative=True)
                return
        if here - self._utt_start >= self._max_utt:
            yield from self._split(here)
        elif (
            self.partial_interval_s is not None
            and here - self._last_partial >= self.partial_interval_s * SAMPLE_RATE
        ):
            self._last_partial = here
            yield self._utterance(self._piece_start, here, final=False)

    def _send_piece(self, pause_at: int) -> UtteranceAudio:
        """Cut the utterance's current piece at a pause and send it ahead; the turn goes on."""
        end = min(pause_at + self._pad, self._samples_in)
        piece = self._utterance(self._piece_start, end, final=False, ahead=True)
        self._pieces.append((self._piece_start, end))
        self._piece_start = self._last_partial = pause_at
        return piece

    def _cut(self, pause_at: int) -> Iterator[Event]:
        """End an utterance at a pause inside a long turn; the next one starts in the pause."""
        assert self._utt_start is not None
        end = min(pause_at + self._pad, self._samples_in)
        yield self._utterance(self._utt_start, end, final=True, speech_end=pause_at)
        self._utt_start = self._piece_start = self._last_partial = pause_at
        self._probs = self._probs[-(self._split_pause + 1) :]

    def _split(self, here: int) -> Iterator[Event]:
        """Cut an over-long utterance at its quietest window of the last 3 s; the turn goes on."""
        assert self._utt_start is not None
        # (within the current piece: what was sent ahead stays as it was cut)
        in_piece = (here - self._piece_start) // WINDOW
        look = max(1, min(len(self._probs), int(3 * SAMPLE_RATE / WINDOW), in_piece))
        tail = np.asarray(self._probs[-look:])
        cut = here - (look - int(np.argmin(tail))) * WINDOW
        yield self._utterance(self._utt_start, cut, final=True)
        self._utt_start = self._piece_start = self._last_partial = cut
        self._probs = self._probs[-(look - int(np.argmin(tail))) :]

    def _close(self, speech_end: int) -> Iterator[Event]:
        """End the turn where its silence began; the utterance audio keeps a padded tail."""
        assert self._speech_start is not None and self._utt_start is not None
        yield SpeechEnded(
            self.speaker, self._speech_start * WINDOW / SAMPLE_RATE, speech_end / SAMPLE_RATE
        )
        end = min(speech_end + self._pad, self._samples_in)
        if speech_end > self._utt_start:  # nothing left when a cut fell in this same pause
            yield self._utterance(self._utt_start, end, final=True, speech_end=speech_end)
        self._last_end = end
        self._speech_start = self._utt_start = self._silence_start = None
        self._probs = []

    def flush(self) -> Iterator[Event]:
        """End of the track: close a turn still open."""
        if self._speech_start is not None:
            yield from self._close(
                self._samples_in if self._silence_start is None else self._silence_start * WINDOW
            )
        self._cand_start = None

    def _trim(self) -> None:
        """Keep only the audio a future utterance can still need."""
        if self._utt_start is not None:
            keep_from = self._utt_start
        elif self._cand_start is not None:
            keep_from = self._cand_start * WINDOW - self._pad
        else:
            keep_from = self._samples_in - self._pad - WINDOW
        keep_from = max(keep_from, self._audio_origin)
        if keep_from > self._audio_origin:
            self._audio = self._audio[keep_from - self._audio_origin :]
            self._audio_origin = keep_from
