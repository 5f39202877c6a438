"""URL routing: handlers register under a path pattern and are reached by URL only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[..., "Response"]


@dataclass(frozen=True)
class Response:
    status: int
    body: Any = None


@dataclass
class Request:
    method: str
    path: str
    body: Any = None
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        want = self.pattern.strip("/").split("/")
        got = path.strip("/").split("/")
        if len(want) != len(got):
            return None
        params = {}
        for expected, actual in zip(want, got):
            if expected.startswith("<") and expected.endswith(">"):
                params[expected[1:-1]] = actual
            elif expected != actual:
                return None
        return params


class App:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.guards: list[Callable[[Request], Response | None]] = []

    def route(self, pattern: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            for method in methods:
                self.routes.append(Route(method, pattern, handler))
            return handler

        return decorate

    def guard(self, check: Callable[[Request], Response | None]) -> Callable[[Request], Response | None]:
        self.guards.append(check)
        return check

    def handle(self, request: Request) -> Response:
        for check in self.guards:
            refused = check(request)
            if refused is not None:
                return refused
        for route in self.routes:
            params = route.match(request.method, request.path)
            if params is not None:
                return route.handler(request, **params)
        return Response(404, {"error": f"no route for {request.method} {request.path}"})


app = App()
