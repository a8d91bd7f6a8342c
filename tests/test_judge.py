"""The optional LLM judge against real HTTP endpoints on loopback that misbehave on purpose: too
slow, an answer that is not JSON or not the schema, error statuses (the circuit breaker), a
token budget too small; and a good answer, stored and shown on the scorecard over the API.
The judge against a real model server (llama.cpp) is in test_judge_llama.py."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.judge.client import JudgeClient, estimate_tokens
from app.judge.judge import Judge
from app.judge.prompts import PromptError, load_prompt, load_prompts
from app.judge.scorecard import apply_decision
from app.pipeline.resources import Resources
from tests.accounts import admin_headers
from tests.conftest import CALLS_DIR
from tests.judge_endpoints import (
    CALL,
    UNSURE,
    HttpEndpoint,
    answering,
    completion,
    unsure_card,
)
from tests.judge_endpoints import judge_settings as endpoint_settings
from tests.live_server import serve

NOTES = {
    "went_well": {"text": "You asked why the customer wanted to leave.", "evidence": ["u1"]},
    "to_change": {"text": "Say that you want them to stay.", "evidence": ["u2", "u3"]},
    "try_saying": {"text": '"We would really like to keep you with us."', "evidence": ["u4"]},
}
OPINION = {"verdict": "pass", "reason": "The rep says she wants to keep him.", "evidence": ["u5"]}
CHURN = {
    "churn_reason": "other",
    "churn_stage": "anti",
    "reason": "He is moving abroad.",
    "evidence": ["u0"],
}
ANSWERS = {"coaching_notes": NOTES, "second_opinion": OPINION, "churn": CHURN}


def by_task(request: dict[str, Any]) -> tuple[int, bytes, float]:
    """A good answer for whichever task the request is (its schema's name)."""
    task = request["response_format"]["json_schema"]["name"]
    return 200, json.dumps(completion(json.dumps(ANSWERS[task]), tokens=900)).encode(), 0.0


@pytest.fixture(scope="module")
def card(resources: Resources) -> dict[str, Any]:
    """The engine's scorecard of a labelled call, with one content verdict made unsure."""
    return unsure_card(resources)


def judge_settings(base_url: str, tmp: Path, **overrides: Any) -> Settings:
    values = {"judge_model": "test-model", "judge_timeout_s": 5.0, **overrides}
    return endpoint_settings(base_url, tmp, **values)


def make_judge(resources: Resources, settings: Settings) -> Judge:
    return Judge(settings, lambda: resources.rubrics.specs)


async def decide(judge: Judge, card: dict[str, Any]) -> list[Any]:
    try:
        return [d async for d in judge.decide(card)]
    finally:
        await judge.close()


# --- prompts ------------------------------------------------------------------------------


def test_every_task_has_a_valid_versioned_prompt() -> None:
    prompts = load_prompts()
    assert {p.label for p in prompts.values()} == {
        "coaching_notes v1",
        "second_opinion v1",
        "churn v1",
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("task: churn\nversion: 1\nmax_tokens: 100\nsystem: s\nuser: '{nope} {transcript}'\n",
         "unknown placeholder(s) nope"),
        ("task: churn\nversion: 0\nmax_tokens: 100\nsystem: s\nuser: '{transcript}'\n",
         "version"),
        ("task: churn\nversion: 1\nmax_tokens: 100\nsystem: s\nuser: 'no transcript'\n",
         "{transcript} placeholder is missing"),
        ("task: coaching_notes\nversion: 1\nmax_tokens: 100\nsystem: s\nuser: '{transcript}'\n",
         "name the file coaching_notes.yaml"),
    ],
)  # fmt: skip
def test_a_bad_prompt_is_refused_with_its_file_and_reason(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = tmp_path / "churn.yaml"
    path.write_text(text)
    with pytest.raises(PromptError, match="churn.yaml") as err:
        load_prompt(path)
    assert reason in str(err.value)


# --- answers that cannot be used ----------------------------------------------------------


async def test_a_server_that_answers_too_slowly_times_out(
    resources: Resources, card: dict[str, Any], tmp_path: Path
) -> None:
    with HttpEndpoint(answering(NOTES, delay=10)) as endpoint:
        settings = judge_settings(endpoint.base_url, tmp_path, judge_timeout_s=0.5, judge_retries=1)
        started = time.perf_counter()
        decisions = await decide(make_judge(resources, settings), card)
        elapsed = time.perf_counter() - started
    assert [d.task for d in decisions] == ["second_opinion", "churn", "coaching_notes"]
    for d in decisions:
        assert d.status == "error" and d.result is None
        assert d.error.startswith("unavailable: timed out after 0.5 s (2 attempt(s))")
        assert 1000 <= d.latency_ms < 4000  # two attempts of 0.5 s and one backoff
    assert len(endpoint.requests) == 6  # each request tried twice
    assert elapsed < 12


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ((200, b'{"choices": [{"message": ', 0.0), "malformed: "),
        ((200, b"<html>proxy error</html>", 0.0), "malformed: "),
        (answering("Here are my notes: the rep did well.")(None), "not JSON"),  # type: ignore[arg-type]
        (answering({"went_well": {"text": "x", "evidence": ["u1"]}})(None),  # type: ignore[arg-type]
         "does not match the schema: to_change: Field required"),
        (answering({**NOTES, "went_well": {"text": "Good.", "evidence": ["u999"]}})(None),  # type: ignore[arg-type]
         "cites utterances the call does not have: ['u999']"),
        (answering({**NOTES, "to_change": {"text": "נסו לשאול", "evidence": ["u1"]}})(None),  # type: ignore[arg-type]
         "to_change is not in English"),
        ((200, json.dumps(completion('{"went_well": {"te', finish_reason="length")).encode(),
          0.0), "cut off at the token limit"),
    ],
)  # fmt: skip
async def test_a_malformed_answer_is_a_judge_error_and_the_rule_verdict_stands(
    resources: Resources,
    card: dict[str, Any],
    tmp_path: Path,
    reply: tuple[int, bytes, float],
    error: str,
) -> None:
    with HttpEndpoint(lambda _req: reply) as endpoint:
        judge = make_judge(resources, judge_settings(endpoint.base_url, tmp_path))
        breaker = judge.client.breaker
        decisions = await decide(judge, card)
    notes = decisions[-1]
    assert notes.task == "coaching_notes" and notes.status == "error"
    assert notes.error.startswith("malformed: ") and error in notes.error
    assert notes.model == "test-model" and notes.prompt_version == "coaching_notes v1"
    assert breaker.failure_count == 0  # the endpoint is up: a bad answer does not open it
    judged = card
    for d in decisions:
        judged = apply_decision(judged, d.to_dict())
    assert judged["verdicts"] == card["verdicts"] and judged["score"] == card["score"]
    assert "coaching_notes" not in judged
    assert [d["status"] for d in judged["judge"]["decisions"]] == ["error"] * 3


async def test_the_circuit_opens_after_failures_and_closes_after_a_success(
    resources: Resources, card: dict[str, Any], tmp_path: Path
) -> None:
    state = {"up": False}

    def behaviour(request: dict[str, Any]) -> tuple[int, bytes, float]:
        if not state["up"]:
            return 503, b'{"error": {"message": "overloaded"}}', 0.0
        return by_task(request)

    with HttpEndpoint(behaviour) as endpoint:
        settings = judge_settings(
            endpoint.base_url,
            tmp_path,
            judge_breaker_failures=2,
            judge_breaker_reset_s=1,
            judge_response_format="json_schema",
        )
        judge = make_judge(resources, settings)
        try:
            first = [d async for d in judge.decide(card)]
            assert [d.error.split(":")[0] for d in first] == ["unavailable"] * 3
            assert "HTTP 503" in first[0].error and "HTTP 503" in first[1].error
            assert "circuit open after 2 failed requests" in first[2].error
            assert len(endpoint.requests) == 2  # the third never reached the endpoint
            assert first[2].latency_ms < 100
            await asyncio.sleep(1.2)  # the reset time: one request is let through
            state["up"] = True
            second = [d async for d in judge.decide(card)]
        finally:
            await judge.close()
    assert [d.status for d in second] == ["ok", "ok", "ok"]
    assert judge.client.breaker.closed and len(endpoint.requests) == 5


async def test_the_token_budget_bounds_what_a_call_sends(
    resources: Resources, card: dict[str, Any], tmp_path: Path
) -> None:
    with HttpEndpoint(by_task) as endpoint:
        small = judge_settings(endpoint.base_url, tmp_path, judge_max_tokens_per_call=500)
        decisions = await decide(make_judge(resources, small), card)
        assert all(d.error.startswith("budget: token budget") for d in decisions)
        assert endpoint.requests == []
        # What each task's request needs, as the budget counts it (prompt estimate + limit).
        await decide(make_judge(resources, judge_settings(endpoint.base_url, tmp_path)), card)
        need = {
            r["response_format"]["json_schema"]["name"]: estimate_tokens(r["messages"])
            + r["max_tokens"]
            for r in endpoint.requests
        }
        # Room for the second opinion (it spends the 900 tokens the endpoint reports) and the
        # notes, not for the churn request too: the notes are never crowded out.
        budget = need["second_opinion"] + need["coaching_notes"] + 100
        assert 900 + need["churn"] + need["coaching_notes"] > budget
        some = judge_settings(endpoint.base_url, tmp_path, judge_max_tokens_per_call=budget)
        decisions = await decide(make_judge(resources, some), card)
    assert [(d.task, d.status) for d in decisions] == [
        ("second_opinion", "ok"),
        ("churn", "error"),
        ("coaching_notes", "ok"),
    ]
    assert "held for later tasks" in decisions[1].error


def test_no_judge_unless_configured() -> None:
    settings = Settings()
    assert not settings.judge_enabled
    with pytest.raises(ValueError, match="HAKSHEV_JUDGE_MODEL is required"):
        Settings(judge_base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ValueError, match="needs HAKSHEV_JUDGE_BASE_URL"):
        JudgeClient(settings)


# --- decisions on the scorecard -----------------------------------------------------------


def test_decisions_change_the_scorecard_only_when_ok(card: dict[str, Any]) -> None:
    base = {"model": "m", "latency_ms": 12, "tokens": 300, "error": None}
    opinion = {
        **base,
        "task": "second_opinion",
        "rubric": UNSURE,
        "status": "ok",
        "prompt_version": "second_opinion v1",
        "result": {"verdict": "pass", "reason": "r", "evidence": []},
    }
    before = card["verdicts"][UNSURE]
    flipped = "pass" if before["verdict"] == "fail" else "fail"
    opinion["result"]["verdict"] = flipped
    out = apply_decision(card, opinion)
    v = out["verdicts"][UNSURE]
    assert v["verdict"] == flipped and v["judged_by"] == "model m (prompt second_opinion v1)"
    assert v["rule"]["verdict"] == before["verdict"] and v["reason"] == "r"
    applicable = [x for x in out["verdicts"].values() if x["verdict"] != "na"]
    passed = sum(x["verdict"] == "pass" for x in applicable)
    assert out["score"] == round(100 * passed / len(applicable)) != card["score"]
    assert card["verdicts"][UNSURE] == before  # the input is left as it was
    failed = {**opinion, "status": "error", "result": None, "error": "unavailable: down"}
    same = apply_decision(card, failed)
    assert same["verdicts"] == card["verdicts"]
    assert same["judge"]["decisions"][0]["error"] == "unavailable: down"


# --- through the service: an imported call is judged in the background --------------------


@pytest.fixture
def judged_service(tmp_path: Path) -> Iterator[tuple[str, Settings, HttpEndpoint]]:
    def slow_by_task(request: dict[str, Any]) -> tuple[int, bytes, float]:
        status, body, _ = by_task(request)
        return status, body, 1.0

    with HttpEndpoint(slow_by_task) as endpoint:
        settings = judge_settings(
            endpoint.base_url, tmp_path, judge_confidence_threshold=0.99, demo_admin=False
        )
        with serve(settings) as host:
            yield host, settings, endpoint


def test_an_imported_call_is_judged_and_the_scorecard_shows_it(
    judged_service: tuple[str, Settings, HttpEndpoint],
) -> None:
    host, settings, endpoint = judged_service
    headers = admin_headers(settings)
    path = CALLS_DIR / f"{CALL}.call.json"
    with httpx.Client(base_url=f"http://{host}", headers=headers, timeout=600) as http:
        r = http.post(
            "/v1/calls/import",
            files={"file": (path.name, path.read_bytes(), "application/json")},
            data={"call_id": "judged-1"},
        )
        # The import answered before the judge (1 s a request) had finished its first request.
        asked_by_then = len(endpoint.requests)
        assert r.status_code == 201, r.text
        assert r.json()["judging"] is True
        rule_card = r.json()["scorecard"]
        assert "coaching_notes" not in rule_card
        deadline = time.monotonic() + 120
        while True:
            card = http.get("/v1/calls/judged-1/scorecard").json()
            if "coaching_notes" in card or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    unsure = [k for k, v in rule_card["verdicts"].items() if v["confidence"] < 0.99]
    assert asked_by_then <= 1
    decisions = card["judge"]["decisions"]
    assert [d["task"] for d in decisions] == ["second_opinion"] * len(unsure) + [
        "churn",
        "coaching_notes",
    ]
    assert all(d["status"] == "ok" and d["latency_ms"] >= 1000 for d in decisions)
    assert all(d["judged_by"].startswith("model test-model (prompt ") for d in decisions)
    notes = card["coaching_notes"]
    assert notes["judged_by"] == "model test-model (prompt coaching_notes v1)"
    assert notes["went_well"]["text"] == NOTES["went_well"]["text"]
    first = rule_card["utterances"][1]
    assert notes["went_well"]["evidence"] == [
        {"id": "u1", **{k: first[k] for k in ("speaker", "role", "start", "end", "text")}}
    ]
    for rid in unsure:
        assert card["verdicts"][rid]["verdict"] == "pass"
        assert card["verdicts"][rid]["judged_by"] == "model test-model (prompt second_opinion v1)"
        assert card["verdicts"][rid]["rule"]["verdict"] == rule_card["verdicts"][rid]["verdict"]
    assert (card["churn_reason"], card["churn_stage"]) == ("other", "anti")
    assert card["churn_judged"]["rule"] == {
        "churn_reason": rule_card["churn_reason"],
        "churn_stage": rule_card["churn_stage"],
    }
    # The list of calls sorts and filters on the judged values.
    with httpx.Client(base_url=f"http://{host}", headers=headers) as http:
        listed = http.get("/v1/calls").json()["items"]
    assert [c["churn_reason"] for c in listed if c["id"] == "judged-1"] == ["other"]
    # What was sent: the prompt names the rubric from its file and the transcript's ids.
    sent = [json.dumps(r["messages"]) for r in endpoint.requests]
    assert all("u0 [" in s for s in sent)
    assert all(r["response_format"]["json_schema"]["strict"] is True for r in endpoint.requests)


def test_an_unsure_verdict_is_left_alone_without_a_judge(card: dict[str, Any]) -> None:
    plain = copy.deepcopy(card)
    assert plain["verdicts"][UNSURE].get("judged_by") is None


# --- a live call: the stop is answered at once, the judge's events follow -------------------


@pytest.mark.slow
def test_the_live_path_never_waits_for_the_judge(tmp_path: Path) -> None:
    from app.core.events import Participant
    from app.streamer import stream_call
    from tests.accounts import admin_key
    from tests.synth import Turn, render

    delay = 2.0  # each judge request takes this long

    def slow(request: dict[str, Any]) -> tuple[int, bytes, float]:
        """A good answer after `delay` s, citing the call's first utterance only."""
        task = request["response_format"]["json_schema"]["name"]
        answer = {
            k: {**v, "evidence": ["u0"]} if isinstance(v, dict) else v
            for k, v in ANSWERS[task].items()
        }
        if "evidence" in answer:
            answer["evidence"] = ["u0"]
        return 200, json.dumps(completion(json.dumps(answer))).encode(), delay

    audio, _ = render(
        [
            Turn(0, "Hi, I want to cancel my electricity contract, I am moving abroad."),
            Turn(1, "I am sorry to hear that. When are you moving, and where to?"),
            Turn(0, "In March, to Portugal. So I will not need it any more."),
            Turn(1, "We would really like to keep you. Is there anything else I can do?"),
        ],
        "en",
        2,
    )
    people = [Participant("c", "customer", "Noa"), Participant("r", "rep", "Dana")]
    seen: list[tuple[float, dict[str, Any]]] = []
    with HttpEndpoint(slow) as endpoint:
        settings = judge_settings(
            endpoint.base_url, tmp_path, judge_confidence_threshold=0.0, demo_admin=False
        )
        with serve(settings) as host:
            result = asyncio.run(
                stream_call(
                    f"ws://{host}",
                    audio,
                    people,
                    language="en",
                    call_id="live-judged",
                    speed=0,
                    token=admin_key(settings),
                    on_event=lambda e: seen.append((time.perf_counter(), e)),
                )
            )
    assert result.error is None and result.scorecard is not None
    assert "coaching_notes" not in result.scorecard  # the stop's answer did not wait
    times = {e["type"]: t for t, e in reversed(seen)}  # the first of each type
    kinds = [e["type"] for _, e in seen]
    assert kinds.index("scorecard") < kinds.index("judge") < kinds.index("judged")
    # Two requests of `delay` s each came after the scorecard was out.
    assert times["judged"] - times["scorecard"] >= 2 * delay * 0.9
    judged = next(e for _, e in seen if e["type"] == "judged")["scorecard"]
    assert judged["coaching_notes"]["went_well"]["text"] == NOTES["went_well"]["text"]
    assert [e["task"] for _, e in seen if e["type"] == "judge"] == ["churn", "coaching_notes"]
    assert kinds[-1] == "judged"  # then the events socket closed normally
    assert len(endpoint.requests) == 2
