"""What the helper app, the sharer app and the signaling server must agree on."""
