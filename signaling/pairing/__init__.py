"""Pairing: the hub's rules, sessions and their participants, limits, resume and replicas."""
