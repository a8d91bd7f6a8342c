"""Storage: calls, participants, utterances, nudges, findings and scorecards (SQLAlchemy 2)."""
