"""The organisation's web console, served by ``helpline-signaling`` under ``/console``.

Server-rendered pages over the same services as the JSON API (audit recorder, device
service) and the same token validation, so a rule changed there is a rule changed here.
"""
