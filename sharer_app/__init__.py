"""The end user's app: see who wants to help, consent, share, stay in charge."""
