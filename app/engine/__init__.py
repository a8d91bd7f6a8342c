"""The rubric engine: call state, detectors' findings, the nudge policy and the scorecard."""
