"""Moved to :mod:`devtools.headless`; this name stays only until ``bench/`` imports from there."""

from devtools.headless import HeadlessApp

__all__ = ["HeadlessApp"]
