"""pytest-delta's language server: the tests a change affects, live in the editor.

It keeps the engine of :mod:`pytest_delta.engine` alive over the editor's buffers and answers
what ``pytest --delta`` would run at this moment. Start it with ``pytest-delta-lsp`` (or
``python -m pytest_delta_lsp``); it needs the ``lsp`` extra (``pip install 'pytest-delta[lsp]'``).
"""

from pytest_delta import __version__

__all__ = ["__version__"]
