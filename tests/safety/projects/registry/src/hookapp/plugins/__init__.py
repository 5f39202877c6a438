"""Exporters, each loaded by its dotted name from ``hookapp.loader.EXPORTERS``."""
