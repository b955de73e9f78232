"""What replicas behind one load balancer must share: codes, redeem limits, who is alive,
and the bus that carries a session's messages to the replica holding the other side.

Each piece has a small interface, kept in memory for one process and in Redis when
``HELPLINE_REDIS_URL`` is set; the hub's rules do not change with the backend.
"""
