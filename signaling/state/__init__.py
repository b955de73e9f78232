"""What replicas behind one load balancer must share: codes, redeem limits, who is alive,
and the bus that carries a session's messages to the replica holding the other side.

Codes and limits have one interface each, kept in memory for one process and in Redis when
``HELPLINE_REDIS_URL`` is set; liveness and the bus exist only with Redis, since one process
has no other replica to hear from. The hub's rules do not change with the backend.
"""
