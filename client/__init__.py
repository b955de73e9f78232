"""The apps' runtime that the server never needs: sign-in, the signaling client, the session
engines, screen capture and input injection, and the headless JSON-lines front end."""
