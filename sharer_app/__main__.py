import sys

from sharer_app.cli import main

sys.exit(main())
