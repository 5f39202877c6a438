from __future__ import annotations

from ..routing import Request, Response, app
from ..store import Store

PAGE_SIZE = 2


def _store(request: Request) -> Store:
    return request.state.setdefault("store", Store())


@app.route("/items")
def list_items(request: Request) -> Response:
    names = [name for name, _ in _store(request).items.values()]
    return Response(200, {"items": names[:PAGE_SIZE], "more": len(names) > PAGE_SIZE})


@app.route("/items/<item_id>")
def get_item(request: Request, item_id: str) -> Response:
    found = _store(request).items.get(int(item_id))
    if found is None:
        return Response(404, {"error": f"no item {item_id}"})
    name, price = found
    return Response(200, {"name": name, "price": price})


@app.route("/items", methods=("POST",))
def create_item(request: Request) -> Response:
    body = request.body or {}
    if "name" not in body or body.get("price", -1) < 0:
        return Response(400, {"error": "name and a price >= 0 are required"})
    return Response(201, {"id": _store(request).add(body["name"], body["price"])})


@app.route("/items/cheap/<limit>")
def cheap_items(request: Request, limit: str) -> Response:
    return Response(200, {"items": _store(request).cheaper_than(int(limit))})
