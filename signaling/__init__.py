"""The Helpline signaling server: sign-in, pairing by code, relay, roles and audit."""
