"""A judge decision applied to a stored scorecard (pure functions over JSON-ready dicts).

- every decision is listed under `judge.decisions` (task, rubric, status, model, prompt version,
  latency, error);
- `second_opinion` ok: the rubric's verdict becomes the judge's, with its reason, the utterances
  it cites as evidence and `judged_by` ("model X (prompt second_opinion v1)"); the engine's
  verdict is kept under `rule`; the score is recomputed;
- `churn` ok: `churn_reason` and `churn_stage` become the judge's; the judge's reason, evidence
  and the classifier's labels are kept under `churn_judged`;
- `coaching_notes` ok: `coaching_notes` (went_well, to_change, try_saying, each with evidence).
A decision with status error changes nothing but the list: the rule-based result stands.
"""

from __future__ import annotations

import copy
from typing import Any


def judged_by(decision: dict[str, Any]) -> str:
    return f"model {decision['model']} (prompt {decision['prompt_version']})"


def _score(verdicts: dict[str, Any]) -> int | None:
    applicable = [v for v in verdicts.values() if v.get("verdict") != "na"]
    if not applicable:
        return None
    return round(100 * sum(v.get("verdict") == "pass" for v in applicable) / len(applicable))


def apply_decision(card: dict[str, Any], decision: dict[str, Any]) -> dict[str, Any]:
    """`card` with `decision` applied (a new dict; `card` is left as it was)."""
    out = copy.deepcopy(card)
    section = out.setdefault("judge", {"decisions": []})
    section.setdefault("decisions", []).append(
        {
            "task": decision["task"],
            "rubric": decision.get("rubric"),
            "status": decision["status"],
            "model": decision["model"],
            "prompt_version": decision["prompt_version"],
            "latency_ms": decision["latency_ms"],
            "tokens": decision.get("tokens", 0),
            "error": decision.get("error"),
            "judged_by": judged_by(decision),
        }
    )
    section["tokens"] = sum(d.get("tokens", 0) for d in section["decisions"])
    result = decision.get("result")
    if decision["status"] != "ok" or not result:
        return out
    by = judged_by(decision)
    task = decision["task"]
    if task == "second_opinion":
        rid = decision["rubric"]
        verdicts = out.get("verdicts") or {}
        before = verdicts.get(rid)
        if before is None:
            return out
        rule = before.get("rule") or {
            k: before.get(k) for k in ("verdict", "reason", "evidence", "confidence")
        }
        verdicts[rid] = {
            "verdict": result["verdict"],
            "reason": result["reason"],
            "evidence": result["evidence"],
            "confidence": before.get("confidence", 1.0),
            "judged_by": by,
            "rule": rule,
        }
        out["score"] = _score(verdicts)
    elif task == "churn":
        rule = (out.get("churn_judged") or {}).get("rule") or {
            "churn_reason": out.get("churn_reason"),
            "churn_stage": out.get("churn_stage"),
        }
        out["churn_reason"] = result["churn_reason"]
        out["churn_stage"] = result["churn_stage"]
        out["churn_judged"] = {
            "judged_by": by,
            "reason": result["reason"],
            "evidence": result["evidence"],
            "rule": rule,
        }
    elif task == "coaching_notes":
        out["coaching_notes"] = {**result, "judged_by": by}
    return out
