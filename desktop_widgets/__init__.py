"""Qt pieces both desktop apps' views share: layout helpers, plain-text labels, chat, and the
base of the service object that connects a view to a session engine.

Only the apps' view modules import this package (an import-linter contract says so); it
imports nothing of the apps, so they still never import each other.
"""
