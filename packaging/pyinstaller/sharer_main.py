"""Entry point of the frozen helpline-sharer bundle."""

import sys

from sharer_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
