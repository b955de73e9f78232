"""The managed device's runtime: its key, enrolment, the agent and what actions do here."""
