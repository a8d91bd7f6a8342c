"""Drivers: the same engine fed from audio (a file or a live stream) or from a transcript."""
