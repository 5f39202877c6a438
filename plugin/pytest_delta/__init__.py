"""pytest-delta: run only the tests that a change can affect.

The pytest hooks live in :mod:`pytest_delta.plugin`; the import-graph engine, which never
imports pytest, lives in :mod:`pytest_delta.engine` so that the language server can reuse it.
"""

__version__ = "0.1.0"
