"""Managed devices on the server: enrolment, durable actions, the agent's link, device proofs."""
