"""One judge request to any OpenAI-compatible endpoint, and everything that can go wrong with it.

- Timeout per attempt and retries with exponential backoff and jitter: the `openai` client's own
  (it retries connection errors, timeouts, 408/409/429 and 5xx, and honours `Retry-After`),
  inside an overall deadline so that a server trickling bytes cannot hold a request forever.
- A circuit breaker (the `circuitbreaker` package): after `judge_breaker_failures` requests in a
  row fail to get an answer (endpoint down, timing out, refusing), requests fail at once for
  `judge_breaker_reset_s`; then one is let through, and a success closes the circuit again.
  A malformed answer does not count: the endpoint is up.
- A per-call token budget: a request is sent only if its prompt (estimated) and its answer limit
  fit in what the call has left; what the endpoint reports as used is taken off.
- The answer: JSON constrained by the task's schema, then validated with pydantic, and every
  utterance it cites must be one of the call's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import openai
from circuitbreaker import CircuitBreaker, CircuitBreakerError
from pydantic import BaseModel, ValidationError

from app.core.config import Settings
from app.judge.answers import ANSWERS, answer_schema, cited
from app.judge.prompts import PromptTemplate

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 8.0  # the openai client's longest wait between retries


class JudgeError(Exception):
    """A judge request gave no usable answer; the rule-based result stands."""

    kind = "error"


class JudgeUnavailable(JudgeError):
    """No answer: the endpoint is down, timed out, refused, or the circuit is open."""

    kind = "unavailable"


class JudgeMalformed(JudgeError):
    """An answer came, but not one that can be used (not JSON, not the schema, cut off)."""

    kind = "malformed"


class JudgeBudgetExceeded(JudgeError):
    """The call's token budget has no room for this request."""

    kind = "budget"


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """A deliberately high estimate of a prompt's tokens: one per 3 bytes of UTF-8 (English runs
    about 4 bytes a token, Hebrew 4-5) plus a few per message for the chat template."""
    return sum(math.ceil(len(m["content"].encode("utf-8")) / 3) + 8 for m in messages)


class TokenBudget:
    """Tokens one call may spend on the judge, prompts and answers together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    def fits(self, tokens: int) -> bool:
        return tokens <= self.left

    def spend(self, tokens: int) -> None:
        self.used += max(0, tokens)


@dataclass(frozen=True, slots=True)
class Answer:
    value: BaseModel
    tokens: int
    latency_ms: int


class JudgeClient:
    def __init__(self, settings: Settings) -> None:
        if not settings.judge_base_url or not settings.judge_model:
            raise ValueError("the judge needs HAKSHEV_JUDGE_BASE_URL and HAKSHEV_JUDGE_MODEL")
        self.model = settings.judge_model
        self.timeout_s = settings.judge_timeout_s
        self.retries = settings.judge_retries
        self.response_format = settings.judge_response_format
        key = settings.judge_api_key.get_secret_value() if settings.judge_api_key else None
        self._client = openai.AsyncOpenAI(
            base_url=settings.judge_base_url,
            api_key=key or "none",  # local servers take any key; the client insists on one
            timeout=settings.judge_timeout_s,
            max_retries=settings.judge_retries,
        )
        self.breaker = CircuitBreaker(
            failure_threshold=settings.judge_breaker_failures,
            recovery_timeout=settings.judge_breaker_reset_s,
            expected_exception=JudgeUnavailable,
            name=f"judge:{settings.judge_base_url}",
        )
        self._send = self.breaker.decorate(self._send_once)

    @property
    def deadline_s(self) -> float:
        """The longest one request may take, its retries and their waits included."""
        return self.timeout_s * (self.retries + 1) + MAX_BACKOFF_S * self.retries + 1.0

    async def close(self) -> None:
        await self._client.close()

    def _response_format(self, task: str, ids: list[str]) -> dict[str, Any]:
        if self.response_format == "json_object":
            # llama-cpp-python's server: the schema becomes a grammar (length limits included).
            return {"type": "json_object", "schema": answer_schema(task, ids, lengths=True)}
        return {
            "type": "json_schema",
            "json_schema": {
                "name": task,
                "strict": True,
                "schema": answer_schema(task, ids, lengths=False),
            },
        }

    async def ask(
        self,
        prompt: PromptTemplate,
        values: dict[str, Any],
        ids: list[str],
        budget: TokenBudget,
        *,
        reserve: int = 0,
    ) -> Answer:
        """The task's validated answer; raises a `JudgeError` otherwise. `reserve`: tokens of
        the budget to leave for later tasks."""
        messages = prompt.messages(values)
        estimate = estimate_tokens(messages)
        if not budget.fits(estimate + prompt.max_tokens + reserve):
            held = f", {reserve} held for later tasks" if reserve else ""
            raise JudgeBudgetExceeded(
                f"token budget: about {estimate} + {prompt.max_tokens} tokens needed, "
                f"{budget.left} of {budget.limit} left for this call{held}"
            )
        started = time.perf_counter()
        try:
            response = await self._send(
                messages=messages,
                max_tokens=prompt.max_tokens,
                response_format=self._response_format(prompt.task, ids),
            )
        except CircuitBreakerError as exc:
            raise JudgeUnavailable(
                f"circuit open after {self.breaker.failure_count} failed requests in a row; "
                f"next try in {max(0, self.breaker.open_remaining)} s"
            ) from exc
        except JudgeError:
            budget.spend(estimate)  # the endpoint may have read the prompt before failing
            raise
        latency_ms = round((time.perf_counter() - started) * 1000)
        usage = getattr(response, "usage", None)
        used = getattr(usage, "total_tokens", None)
        budget.spend(used if isinstance(used, int) else estimate + prompt.max_tokens)
        value = parse_answer(prompt.task, response, ids)
        return Answer(value, used if isinstance(used, int) else 0, latency_ms)

    async def _send_once(self, **request: Any) -> Any:
        """One request (the openai client retries inside it), as the breaker sees it."""
        try:
            async with asyncio.timeout(self.deadline_s):
                return await self._client.chat.completions.create(
                    model=self.model, temperature=0.0, **request
                )
        except TimeoutError as exc:
            raise JudgeUnavailable(f"no answer within {self.deadline_s:.0f} s") from exc
        except openai.APITimeoutError as exc:
            raise JudgeUnavailable(
                f"timed out after {self.timeout_s:g} s ({self.retries + 1} attempt(s))"
            ) from exc
        except openai.APIConnectionError as exc:
            cause = exc.__cause__ or exc
            raise JudgeUnavailable(
                f"cannot reach the endpoint ({self.retries + 1} attempt(s)): {cause}"
            ) from exc
        except openai.APIStatusError as exc:
            raise JudgeUnavailable(
                f"the endpoint answered HTTP {exc.status_code}: {_short(exc.message)}"
            ) from exc
        except openai.APIResponseValidationError as exc:
            raise JudgeMalformed(f"the endpoint's response is not valid: {_short(exc)}") from exc
        except openai.APIError as exc:
            raise JudgeMalformed(f"the endpoint's response is not usable: {_short(exc)}") from exc
        except json.JSONDecodeError as exc:  # the client reads a JSON body as it is
            raise JudgeMalformed(f"the endpoint's response is not JSON: {exc}") from exc


def _short(text: object, limit: int = 300) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def parse_answer(task: str, response: Any, ids: list[str]) -> BaseModel:
    """The answer in a chat completion, validated; `JudgeMalformed` for anything else."""
    try:
        choice = response.choices[0]
        content = choice.message.content
        finish = choice.finish_reason
    except (AttributeError, IndexError, TypeError) as exc:
        raise JudgeMalformed(f"no answer in the response: {_short(response)}") from exc
    if not isinstance(content, str) or not content.strip():
        refusal = getattr(choice.message, "refusal", None)
        raise JudgeMalformed(f"empty answer{f' (refusal: {_short(refusal)})' if refusal else ''}")
    if finish == "length":
        raise JudgeMalformed(f"the answer was cut off at the token limit: {_short(content, 120)}")
    try:
        # strict=False: a raw newline or tab inside a string (small models write them, and
        # some grammars let them through) is taken as it is; the schema is checked next.
        data = json.loads(content, strict=False)
    except json.JSONDecodeError as exc:
        raise JudgeMalformed(f"the answer is not JSON ({exc.msg}): {_short(content, 120)}") from exc
    try:
        value = ANSWERS[task].model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise JudgeMalformed(
            f"the answer does not match the schema: {where}: {first['msg']}"
        ) from exc
    known = set(ids)
    unknown = [i for i in cited(value) if i not in known]
    if unknown:
        raise JudgeMalformed(f"the answer cites utterances the call does not have: {unknown}")
    return value
