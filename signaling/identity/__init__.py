"""Who someone is: bearer tokens, the directory, roles and the identity card a sharer sees."""
