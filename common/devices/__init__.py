"""Managed devices: the contract the server, the device agent and the helper's tools share.

- ``actions``: action kinds, states and their legal transitions, request and record models.
- ``records``: the device record, the summary a helper sees before live help, enrolment.
- ``signing``: the device key, the signed envelope (Ed25519, timestamp, nonce) and proofs.
- ``agent_protocol``: the messages on the agent's websocket ``/v1/agent``.

The wire rules are written out in ``docs/protocol.md`` ("Managed devices").
"""
