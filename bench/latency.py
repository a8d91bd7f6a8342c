"""Live latency under load: N copies of the English test call streamed in real time to a server.

    python bench/latency.py [--calls N | --sweep 1,4,8,12,16] [--model base] [--minutes M]
                            [--seed S] [--keep] [--events]

Starts the real service (`.venv/bin/hakshev serve`) on a free loopback port with a fresh data
directory, synthesises the English test call once (`tests/scripts_en.py`, spoken by espeak-ng;
with `--minutes` longer than the call its turns are repeated, and the audio is cut to M minutes),
warms the model up with one short call, then streams N copies of it at the same time at 1 × real
time in 100 ms frames (distinct call ids, starts spread by a random 0-20 s, `--stagger`), and
stops the server (SIGTERM) at the end. The client speaks the audio-websocket protocol and paces
frames exactly as `app.streamer.stream_call` does; that loop is copied here so that the wall
time each frame was sent is recorded.

The latency of an event is the wall time it was received on the call's events socket minus the
wall time the audio frame holding its call time was sent (the frame whose span (start, end]
holds it, i.e. the frame that completes the audio up to that time). It prints, per run:

- per call: stagger, final transcripts received, timing / content nudges, error events, whether
  the scorecard came back (in `stopped`, on the events socket, and stored: GET .../scorecard),
  whether the live events match the scorecard, and how long `stop` took;
- latency p50 / p95 / max and counts, against the targets:
    timing nudges  (rubric kind_rant_interrupt, or kind take_over; from `at`)  p95 ≤ 0.3 s
    final transcripts (from `end`, the end of speech)                           p95 ≤ 1.0 s
    content nudges (the other nudges; from `at`, the utterance's end)           p95 ≤ 1.2 s
  and the same per rubric/kind;
- the server's CPU (% of one core, utime + stime of all its threads over the streaming wall
  time, from /proc/<pid>/stat) and peak RSS (VmHWM; target ≤ 700 MB + 15 MB per call);
- the client's CPU and pacing lag (how late the latest frame was sent), the CPU that other
  processes of the machine used meanwhile (when high, the figures say more about the machine
  than about the service), and the server log's warnings, errors and tracebacks;
- with `--events`, every measured event: call, rubric/kind, call time, latency.

A run "holds" when every latency target is met (a kind with no events does not hold), the RSS
target is met, every call got its scorecard and no error event came. With `--sweep` each N runs
with a fresh server, then a summary table and the largest N that holds all targets are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.core.events import Participant  # noqa: E402
from app.streamer import pcm16  # noqa: E402
from tests import scripts_en  # noqa: E402
from tests.accounts import add_account  # noqa: E402
from tests.synth import SR, Spoken, Turn, render  # noqa: E402

FRAME_MS = 100
FRAME_S = FRAME_MS / 1000
# Calls in a contact centre are independent; N copies of one script started within a few
# seconds of each other would end every utterance at the same moment, a burst no real floor
# makes. Starts are spread over a typical utterance cycle instead (--stagger to change it).
STAGGER_S = 20.0
LANGUAGE = "en"
PARTICIPANTS = [Participant("customer", "customer", "Noa"), Participant("rep", "rep", "Dana")]
CALL_SECONDS = 190.0  # about how long the English test call lasts
RSS_BASE_MB, RSS_PER_CALL_MB = 700.0, 15.0
HEALTH_TIMEOUT_S = 180.0
CLK_TCK = os.sysconf("SC_CLK_TCK")

TIMING, FINAL, CONTENT = "timing nudges", "final transcripts", "content nudges"
TARGETS_S = {TIMING: 0.3, FINAL: 1.0, CONTENT: 1.2}


# --- the call ---------------------------------------------------------------------------------
def script(minutes: float | None) -> list[Turn]:
    """The English test call's turns, repeated until the call is at least `minutes` long."""
    rounds = 1 if minutes is None else int(minutes * 60 // CALL_SECONDS) + 1
    return list(scripts_en.TURNS) * rounds


def synthesise(minutes: float | None) -> tuple[np.ndarray, list[Spoken]]:
    """16 kHz float32, (frames, 2): customer, rep; and what is said when (the utterances that
    end within the audio)."""
    audio, spoken = render(script(minutes), LANGUAGE, 2)
    if minutes is not None:
        audio = audio[: int(minutes * 60 * SR)]
    return audio, [u for u in spoken if u.end <= len(audio) / SR]


# --- the server -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_cpu_s(pid: int) -> float:
    """utime + stime of the whole process (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # fields from the 3rd (state) on
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy_s() -> float:
    """CPU seconds all processes of the machine have used (user, nice, system, irq, steal)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


@dataclass
class CpuUse:
    """% of one core over the streaming wall time: the server, this client, everything else."""

    server: float
    client: float
    other: float


def proc_status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


class Server:
    """`hakshev serve` in a subprocess, its output in `log_path`; `headers` sign in as an admin
    (an API key made in its fresh database)."""

    def __init__(self, model: str, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        key = add_account(Settings(data_dir=data_dir), "bench-admin", "admin")
        self.headers = {"Authorization": f"Bearer {key}"}
        env = {
            **os.environ,
            "HAKSHEV_DATA_DIR": str(data_dir),
            "HAKSHEV_WHISPER_MODEL": model,
            "HAKSHEV_DEMO_ADMIN": "false",
            **(env or {}),
        }
        env.pop("HAKSHEV_DEMO_CALLS_DIR", None)
        env.pop("HAKSHEV_DATABASE_URL", None)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/hakshev"), "serve", "--host", "127.0.0.1"]
            + ["--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.rss_max_kb = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_healthy(self) -> dict[str, Any]:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({self.proc.returncode}):\n{self.log_tail()}"
                )
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.base}/health", timeout=2) as r,
            ):
                if r.status == 200:
                    return dict(json.load(r))
            time.sleep(0.2)
        raise RuntimeError(f"no /health in {HEALTH_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    def sample_rss(self) -> None:
        with contextlib.suppress(OSError):
            self.rss_max_kb = max(self.rss_max_kb, proc_status_kb(self.pid, "VmRSS"))

    def peak_rss_mb(self) -> float:
        """VmHWM (the kernel's high-water mark), or the sampled VmRSS maximum if higher."""
        hwm = 0
        with contextlib.suppress(OSError):
            hwm = proc_status_kb(self.pid, "VmHWM")
        return max(hwm, self.rss_max_kb) / 1024

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def log_tail(self, lines: int = 30) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_problems(self) -> list[str]:
        """Warning, error and traceback lines of the server's output."""
        marks = (" WARNING ", " ERROR ", " CRITICAL ", "Traceback", "ERROR:", "WARNING:")
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if any(m in line for m in marks)]


# --- one streamed call ------------------------------------------------------------------------
@dataclass
class Received:
    at: float  # perf_counter when it came off the events socket
    event: dict[str, Any]


@dataclass
class CallRun:
    call_id: str
    stagger_s: float
    sent: list[float] = field(default_factory=list)  # perf_counter of each frame's send
    scheduled: list[float] = field(default_factory=list)  # when each frame was due
    events: list[Received] = field(default_factory=list)
    scorecard: dict[str, Any] | None = None
    stored_scorecard: bool = False
    stop_s: float = math.nan  # stop sent → stopped received
    problems: list[str] = field(default_factory=list)
    stored: dict[str, Any] | None = None  # GET /v1/calls/{id} after the run

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [r.event for r in self.events if r.event.get("type") == kind]

    @property
    def finals(self) -> list[dict[str, Any]]:
        return [e for e in self.of_type("transcript") if e.get("final")]

    @property
    def nudges(self) -> list[dict[str, Any]]:
        return self.of_type("nudge")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.of_type("error")

    @property
    def scorecard_event(self) -> bool:
        return bool(self.of_type("scorecard"))

    @property
    def pacing_lag_s(self) -> float:
        return max((s - d for s, d in zip(self.sent, self.scheduled, strict=True)), default=0.0)


def start_message() -> dict[str, Any]:
    return {
        "type": "start",
        "language": LANGUAGE,
        "sample_rate": SR,
        "encoding": "pcm_s16le",
        "rep_id": "dana",
        "participants": [{"id": p.id, "role": p.role, "name": p.name} for p in PARTICIPANTS],
    }


async def _listen(server: Server, run: CallRun, joined: asyncio.Event) -> None:
    url = f"{server.ws_base}/v1/calls/{run.call_id}/events"
    try:
        async with websockets.connect(url, max_size=None, additional_headers=server.headers) as ws:
            async for message in ws:
                received = time.perf_counter()
                event = json.loads(message)
                run.events.append(Received(received, event))
                if event.get("type") == "call":
                    joined.set()
    except websockets.ConnectionClosedError as exc:
        run.problems.append(f"events socket closed: {exc}")
    finally:
        joined.set()


async def stream(server: Server, pcm: np.ndarray, run: CallRun, *, speed: float = 1.0) -> CallRun:
    """One call: `start`, the events socket joined, frames paced like `stream_call`, `stop`."""
    await asyncio.sleep(run.stagger_s)
    step = SR * FRAME_MS // 1000
    url = f"{server.ws_base}/v1/calls/{run.call_id}/audio"
    async with websockets.connect(
        url, max_size=None, additional_headers=server.headers
    ) as audio_ws:
        await audio_ws.send(json.dumps(start_message()))
        ack = json.loads(await audio_ws.recv())
        if ack.get("type") != "started":
            run.problems.append(f"start refused: {ack}")
            return run
        joined = asyncio.Event()
        listener = asyncio.create_task(_listen(server, run, joined))
        await asyncio.wait_for(joined.wait(), timeout=30)  # subscribed before any audio
        t0 = time.perf_counter()
        for i, pos in enumerate(range(0, len(pcm), step)):
            run.scheduled.append(t0 + i * FRAME_S / speed if speed > 0 else t0)
            run.sent.append(time.perf_counter())
            await audio_ws.send(pcm[pos : pos + step].tobytes())
            if speed > 0:  # pace by the clock: frame i is due at i × frame / speed
                delay = t0 + (i + 1) * FRAME_S / speed - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
        stop_sent = time.perf_counter()
        await audio_ws.send(json.dumps({"type": "stop"}))
        reply = json.loads(await audio_ws.recv())
        run.stop_s = time.perf_counter() - stop_sent
        if reply.get("type") == "stopped":
            run.scorecard = reply.get("scorecard")
        else:
            run.problems.append(f"stop answered {reply}")
        try:
            await asyncio.wait_for(listener, timeout=60)
        except TimeoutError:
            run.problems.append("the events socket did not close within 60 s of `stopped`")
            listener.cancel()
    return run


def get_json(server: Server, path: str) -> Any:
    """GET a REST path as the bench's admin; None when it fails."""
    request = urllib.request.Request(f"{server.base}{path}", headers=server.headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.load(r) if r.status == 200 else None
    except (OSError, urllib.error.URLError, ValueError):
        return None


def stored_scorecard(server: Server, call_id: str) -> bool:
    return isinstance(get_json(server, f"/v1/calls/{call_id}/scorecard"), dict)


# --- latency ----------------------------------------------------------------------------------
def frame_of(t: float, frames: int) -> int:
    """The frame whose span (start, end] holds call time `t`: the one completing audio up to t."""
    return min(max(math.ceil(t / FRAME_S - 1e-6) - 1, 0), frames - 1)


@dataclass(frozen=True)
class Measured:
    call_id: str
    klass: str  # TIMING, FINAL or CONTENT
    label: str  # rubric/kind for a nudge, "transcript" (with the speaker) for a final
    call_time: float  # the event's `at` (nudge) or `end` (final transcript)
    latency: float


def latencies(run: CallRun) -> list[Measured]:
    out: list[Measured] = []
    if not run.sent:
        return out
    for r in run.events:
        e = r.event
        if e.get("type") == "transcript" and e.get("final"):
            klass, label, t = FINAL, f"transcript/{e['speaker']}", float(e["end"])
        elif e.get("type") == "nudge":
            timing = e["rubric"] == "kind_rant_interrupt" or e["kind"] == "take_over"
            klass, label, t = TIMING if timing else CONTENT, f"{e['rubric']}/{e['kind']}", e["at"]
        else:
            continue
        out.append(
            Measured(run.call_id, klass, label, t, r.at - run.sent[frame_of(t, len(run.sent))])
        )
    return out


@dataclass
class Stats:
    n: int
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, values: list[float]) -> Stats:
        if not values:
            return cls(0, math.nan, math.nan, math.nan)
        a = np.asarray(values)
        return cls(len(a), *(float(x) for x in np.percentile(a, [50, 95])), float(a.max()))

    def meets(self, target: float) -> bool:
        return self.n > 0 and self.p95 <= target


@dataclass
class RunResult:
    calls: int
    seconds: float
    stats: dict[str, Stats]
    cpu: CpuUse
    rss_mb: float
    rss_target_mb: float
    scorecards_ok: bool
    error_events: int
    runs: list[CallRun] = field(default_factory=list)

    @property
    def latency_ok(self) -> bool:
        return all(self.stats[k].meets(t) for k, t in TARGETS_S.items())

    @property
    def holds(self) -> bool:
        return (
            self.latency_ok
            and self.rss_mb <= self.rss_target_mb
            and self.scorecards_ok
            and self.error_events == 0
        )


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def ms(x: float) -> str:
    return "    -" if math.isnan(x) else f"{x:5.2f}"


# --- a run ------------------------------------------------------------------------------------
async def _sample_rss(server: Server, done: asyncio.Event) -> None:
    while not done.is_set():
        server.sample_rss()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=0.5)


async def _stream_all(server: Server, pcm: np.ndarray, runs: list[CallRun]) -> CpuUse:
    """Warm up, then stream every call at once; returns the CPU used while they ran."""
    warm = CallRun(f"bench-warmup-{os.getpid()}-{server.port}", 0.0)
    await stream(server, pcm[: 8 * SR], warm, speed=0)  # model loaded, ASR exercised
    for p in warm.problems:
        print(f"warm-up problem: {p}")
    done = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(server, done))
    cpu0, wall0 = proc_cpu_s(server.pid), time.perf_counter()
    client0, busy0 = time.process_time(), machine_busy_s()
    outcomes = await asyncio.gather(*(stream(server, pcm, r) for r in runs), return_exceptions=True)
    cpu, wall = proc_cpu_s(server.pid) - cpu0, time.perf_counter() - wall0
    client, busy = time.process_time() - client0, machine_busy_s() - busy0
    done.set()
    await sampler
    for run, outcome in zip(runs, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            run.problems.append(f"client failed: {type(outcome).__name__}: {outcome}")
    return CpuUse(cpu / wall * 100, client / wall * 100, max(busy - cpu - client, 0) / wall * 100)


@dataclass(frozen=True)
class Options:
    model: str
    seed: int
    keep: bool
    show_events: bool
    stagger: float = STAGGER_S
    env: dict[str, str] = field(default_factory=dict)  # extra HAKSHEV_* for the server


def run_once(calls: int, audio: np.ndarray, opts: Options) -> RunResult:
    seconds = len(audio) / SR
    data_dir = Path(tempfile.mkdtemp(prefix=f"hakshev-bench-{calls}-"))
    rng = random.Random(opts.seed)
    stagger = opts.stagger
    tag = f"{os.getpid()}-{int(time.time())}"
    runs = [CallRun(f"bench-{tag}-{i:02d}", rng.uniform(0, stagger)) for i in range(calls)]
    print(f"\n=== {calls} call(s) of {seconds:.1f} s at 1× real time, model {opts.model} ===")
    server = Server(opts.model, data_dir, opts.env)
    try:
        health = server.wait_healthy()
        print(f"server pid {server.pid} on port {server.port}, whisper {health['whisper_model']}")
        cpu = asyncio.run(_stream_all(server, pcm16(audio), runs))
        rss_mb = server.peak_rss_mb()
        asr = (get_json(server, "/health") or {}).get("transcription") or {}
        for run in runs:
            run.stored_scorecard = stored_scorecard(server, run.call_id)
            run.stored = get_json(server, f"/v1/calls/{run.call_id}")
    finally:
        rc = server.stop()
    result = report(runs, calls, seconds, cpu, rss_mb, opts.show_events)
    result.runs = runs
    if asr:
        print(
            "transcriptions    {finals} finals, {guesses} guesses ({guesses_taken} taken as the"
            " final), {partials} partials, {skipped} skipped as stale; finals waited"
            " {final_wait_ms_p50}/{final_wait_ms_p95} ms for a worker and ran"
            " {final_run_ms_p50}/{final_run_ms_p95} ms (p50/p95)".format(**asr)
        )
    problems = server.log_problems()
    clean = rc in (0, -signal.SIGTERM) and "Finished server process" in server.log_tail(5)
    how = "clean shutdown" if clean else "NOT a clean shutdown"  # uvicorn re-raises SIGTERM
    print(
        f"server exit status {rc} ({how}); server log:"
        f" {len(problems)} warning/error/traceback line(s)"
    )
    for line in problems[:20]:
        print(f"  {line[:200]}")
    if len(problems) > 20:
        print(f"  … {len(problems) - 20} more")
    if opts.keep:
        print(f"kept {data_dir} (server.log, hakshev.db, audio/)")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return result


def report(
    runs: list[CallRun],
    calls: int,
    seconds: float,
    cpu: CpuUse,
    rss: float,
    show_events: bool = False,
) -> RunResult:
    print(
        f"{'call':<28} {'stagger':>7} {'finals':>6} {'timing':>6} {'content':>7} {'errors':>6}"
        f" {'scorecard':>9} {'matches':>7} {'score':>5} {'stop':>6}"
    )
    measured: list[Measured] = []
    for run in runs:
        lat = latencies(run)
        measured += lat
        n_timing = sum(m.klass == TIMING for m in lat)
        n_content = sum(m.klass == CONTENT for m in lat)
        card = run.scorecard
        got = card is not None and run.scorecard_event and run.stored_scorecard
        matches = (
            card is not None
            and len(card.get("utterances", [])) == len(run.finals)
            and len(card.get("nudges", [])) == len(run.nudges)
        )
        score = card.get("score") if card else None
        print(
            f"{run.call_id:<28} {run.stagger_s:6.2f}s {len(run.finals):6d} {n_timing:6d}"
            f" {n_content:7d} {len(run.errors):6d} {yes(got):>9} {yes(matches):>7}"
            f" {'-' if score is None else f'{score:.0f}':>5} {run.stop_s:5.1f}s"
        )
        for p in run.problems:
            print(f"  problem: {p}")
        for e in run.errors:
            print(f"  error event: {json.dumps(e)[:200]}")
    finals = [len(r.finals) for r in runs]
    print(f"final transcripts per call: {finals} (min {min(finals)}, max {max(finals)})")

    if show_events:
        print(f"\n{'call':<28} {'event':<32} {'call time':>9} {'latency':>8}")
        for m in sorted(measured, key=lambda m: (m.call_id, m.call_time)):
            print(f"{m.call_id:<28} {m.label:<32} {m.call_time:9.2f} {m.latency:8.2f}")

    print("\nlatency, s (received − sent of the frame holding the event's call time)")
    print(f"{'':<30} {'n':>5} {'p50':>6} {'p95':>6} {'max':>6} {'target p95':>11} {'met':>4}")
    stats: dict[str, Stats] = {}
    for k, target in TARGETS_S.items():
        s = stats[k] = Stats.of([m.latency for m in measured if m.klass == k])
        print(
            f"{k:<30} {s.n:5d} {ms(s.p50):>6} {ms(s.p95):>6} {ms(s.max):>6}"
            f" {f'≤ {target:.1f}':>11} {yes(s.meets(target)):>4}"
        )
    for label in sorted({m.label for m in measured if m.klass != FINAL}):
        s = Stats.of([m.latency for m in measured if m.label == label])
        print(f"  {label:<28} {s.n:5d} {ms(s.p50):>6} {ms(s.p95):>6} {ms(s.max):>6}")

    rss_target = RSS_BASE_MB + RSS_PER_CALL_MB * calls
    lag = max((r.pacing_lag_s for r in runs), default=0.0)
    cores = os.cpu_count() or 1
    print(f"\nserver CPU      {cpu.server:6.0f} % of one core (streaming wall time; {cores} cores)")
    print(f"server peak RSS {rss:6.0f} MB (target ≤ {rss_target:.0f} MB: {yes(rss <= rss_target)})")
    print(f"client CPU      {cpu.client:6.0f} % of one core; pacing max {lag * 1000:.0f} ms late")
    busy = " (busy: figures are not reliable)" if cpu.other > 20 else ""
    print(f"other processes {cpu.other:6.0f} % of one core{busy}")
    result = RunResult(
        calls,
        seconds,
        stats,
        cpu,
        rss,
        rss_target,
        all(r.scorecard is not None and r.scorecard_event and r.stored_scorecard for r in runs),
        sum(len(r.errors) for r in runs),
    )
    print(f"every call scored: {yes(result.scorecards_ok)}; error events: {result.error_events}")
    print(f"holds all targets: {yes(result.holds)}")
    return result


def summary(results: list[RunResult]) -> None:
    print("\n=== sweep summary (p95 latency, s) ===")
    print(
        f"{'calls':>5} {'timing':>7} {'final':>7} {'content':>7} {'CPU %':>6} {'other':>6}"
        f" {'RSS MB':>7} {'≤ MB':>5} {'scored':>6} {'errors':>6} {'holds':>5}"
    )
    for r in results:
        print(
            f"{r.calls:5d} {ms(r.stats[TIMING].p95):>7} {ms(r.stats[FINAL].p95):>7}"
            f" {ms(r.stats[CONTENT].p95):>7} {r.cpu.server:6.0f} {r.cpu.other:6.0f}"
            f" {r.rss_mb:7.0f}"
            f" {r.rss_target_mb:5.0f} {yes(r.scorecards_ok):>6} {r.error_events:6d}"
            f" {yes(r.holds):>5}"
        )
    held = [r.calls for r in results if r.holds]
    print(f"largest N that holds all targets: {max(held) if held else 'none'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--calls", type=int, default=1, help="concurrent calls (default 1)")
    group.add_argument("--sweep", help="comma-separated call counts, a fresh server for each")
    ap.add_argument("--model", default="base", help="HAKSHEV_WHISPER_MODEL (default base)")
    ap.add_argument("--minutes", type=float, help="call length (default: the test call, ~190 s)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the start stagger")
    ap.add_argument(
        "--stagger",
        type=float,
        default=STAGGER_S,
        help=f"spread of the call starts, s (default {STAGGER_S:.0f})",
    )
    ap.add_argument("--keep", action="store_true", help="keep the data dir and server log")
    ap.add_argument("--events", action="store_true", help="list every measured event")
    args = ap.parse_args()
    counts = [int(n) for n in args.sweep.split(",")] if args.sweep else [args.calls]
    if any(n < 1 for n in counts):
        ap.error("call counts must be ≥ 1")

    audio, _ = synthesise(args.minutes)
    opts = Options(args.model, args.seed, args.keep, args.events, args.stagger)
    results = [run_once(n, audio, opts) for n in counts]
    if len(results) > 1:
        summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
