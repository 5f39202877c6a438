"""Importing the handlers registers their routes on the app."""

from . import health, items

__all__ = ["health", "items"]
