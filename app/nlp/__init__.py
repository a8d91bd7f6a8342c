"""Meaning, not words: sentence embeddings for the rubrics' signals."""
