"""The HTTP and websocket API."""
