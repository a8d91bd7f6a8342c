"""Demo calls spoken by espeak-ng and streamed through the live call hub ("simulate a call")."""
