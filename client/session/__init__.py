"""UI-free session engines: the headless apps and the Qt apps drive these same objects."""
