"""Entry point of the frozen helpline-helper bundle."""

import sys

from helper_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
