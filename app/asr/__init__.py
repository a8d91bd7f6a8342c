"""Speech recognition: Whisper models (bundled, offline) and utterance transcription."""
