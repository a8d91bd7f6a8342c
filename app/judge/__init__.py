"""The optional LLM judge: coaching notes, second opinions on unsure verdicts, churn refinement.

Off unless `HAKSHEV_JUDGE_BASE_URL` is set. It runs after a call's scorecard is written, never on
the live path; each of its decisions is stored with the model, the prompt version and the
latency, and a failed one leaves the rule-based verdict as it was.

- `prompts.py`: the versioned prompt templates in `prompts/` (one per task);
- `answers.py`: what each task must answer (pydantic), and the JSON schema sent with it;
- `client.py`: one request to any OpenAI-compatible endpoint: timeout, retries with backoff,
  circuit breaker, token budget, validation of the answer;
- `judge.py`: the tasks for one call;
- `scorecard.py`: a decision applied to a stored scorecard (pure; used by the store);
- `runner.py`: judging in the background for live and imported calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.config import Settings
    from app.judge.runner import JudgeRunner
    from app.rubrics.config import RubricFile


def runner_for(
    settings: Settings, specs: Callable[[], Mapping[str, RubricFile]], store: Any
) -> JudgeRunner | None:
    """The background judge when `HAKSHEV_JUDGE_BASE_URL` is set, else None (the default). The
    client and its libraries are imported only then."""
    if not settings.judge_enabled:
        return None
    from app.judge.runner import JudgeRunner

    return JudgeRunner(settings, specs, store)
