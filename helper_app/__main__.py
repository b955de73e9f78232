import sys

from helper_app.cli import main

sys.exit(main())
