"""The session engines in-process: real server or scripted signaling, fake peer links."""
