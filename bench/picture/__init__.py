"""The picture benchmark: what the helper sees of the sharer's screen (issue 9)."""
