"""Screen capture into WebRTC, codec choice, and where normalised coordinates land."""
