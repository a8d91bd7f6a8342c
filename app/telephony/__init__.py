"""Telephony: calls forked to a websocket by a contact-centre platform, fed to the live pipeline.

- `codecs`: G.711 μ-law and L16 to PCM (PyAV's codecs), 8 → 16 kHz (soxr's streaming resampler).
- `feed`: two tracks on one call time — gaps become silence — cut into blocks for `LiveCall.feed`.
- `twilio`: Twilio Media Streams messages (`connected`, `start`, `media`, `dtmf`, `mark`, `stop`).
- `audiohook`: Genesys Cloud AudioHook protocol v2 messages, sequence rules and media choice.

The websocket endpoints themselves are in `app/api/telephony.py`.
"""
