"""A test client: requests go through the app's guards and routes, never to a handler directly."""

from __future__ import annotations

from typing import Any

from . import handlers  # noqa: F401  (importing them registers the routes)
from .routing import Request, Response, app


class Client:
    def __init__(self) -> None:
        self.state: dict[str, Any] = {}

    def get(self, path: str) -> Response:
        return app.handle(Request("GET", path, state=self.state))

    def post(self, path: str, body: Any = None) -> Response:
        return app.handle(Request("POST", path, body, state=self.state))
