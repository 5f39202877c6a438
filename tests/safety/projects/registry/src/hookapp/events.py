"""A small event bus: subscribers register per topic, publishers never name them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[dict[str, Any]], Any]
_LISTENERS: dict[str, list[Listener]] = {}


def subscribe(topic: str) -> Callable[[Listener], Listener]:
    def decorate(listener: Listener) -> Listener:
        _LISTENERS.setdefault(topic, []).append(listener)
        return listener

    return decorate


def publish(topic: str, payload: dict[str, Any]) -> list[Any]:
    return [listener(payload) for listener in _LISTENERS.get(topic, [])]


@subscribe("order.placed")
def confirmation_email(payload: dict[str, Any]) -> str:
    return f"mail {payload['customer']}: order {payload['order']} confirmed"


@subscribe("order.placed")
def reserve_stock(payload: dict[str, Any]) -> str:
    return f"reserved {len(payload.get('lines', []))} lines"


@subscribe("order.cancelled")
def refund(payload: dict[str, Any]) -> str:
    amount = payload["paid"] - payload.get("fee", 0)
    return f"refund {amount}"
