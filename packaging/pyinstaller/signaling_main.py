"""Entry point of the frozen helpline-signaling bundle."""

import sys

from signaling.cli import main

if __name__ == "__main__":
    sys.exit(main())
