"""Commands, reached only by the name they register under."""

from __future__ import annotations

from .registry import register


@register("greet")
def greet(name: str, punctuation: str = "!") -> str:
    return f"Hello, {name}{punctuation}"


@register("add")
def add_numbers(*values: str) -> int:
    return sum(int(value) for value in values)


@register("sub")
def subtract(first: str, *rest: str) -> int:
    return int(first) - sum(int(value) for value in rest)


@register("shout")
def shout(text: str, times: str = "1") -> str:
    return text.upper() + "!" * int(times)


@register("count")
def count_words(text: str, min_length: str = "1") -> int:
    return len([word for word in text.split() if len(word) >= int(min_length)])
