"""The support agent's app: sign in, get a code, see the remote screen, help."""
