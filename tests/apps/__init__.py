"""The apps as programs: flags, exit statuses, and the desktop apps followed by --events."""
