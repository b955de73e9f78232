"""HTTP routes: health, the server's public key, and the audit report API."""
