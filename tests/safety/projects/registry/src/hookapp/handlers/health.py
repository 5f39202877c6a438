from __future__ import annotations

from .. import __version__
from ..routing import Request, Response, app

BLOCKED_PREFIX = "/admin"


@app.route("/health")
def health(request: Request) -> Response:
    return Response(200, {"status": "ok", "version": __version__})


@app.guard
def block_admin(request: Request) -> Response | None:
    if request.path.startswith(BLOCKED_PREFIX):
        return Response(403, {"error": "forbidden"})
    return None
