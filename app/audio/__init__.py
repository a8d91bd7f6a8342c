"""Audio in: decoding files, per-participant tracks, streaming voice activity and turn segments."""
