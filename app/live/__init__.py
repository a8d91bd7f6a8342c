"""Live calls: audio in over a websocket, events out to any number of subscribers."""
