"""Rubric detectors: each reads the call's events and gives findings, live nudges and a verdict."""
