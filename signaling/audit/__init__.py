"""The audit log: one record per session attempt, never content."""
