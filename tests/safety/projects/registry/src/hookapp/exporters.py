"""Exporters, found by format: each subclass registers itself when it is defined, and
transforms register through a class decorator. Tests never name a class of this module."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

TRANSFORMS: dict[str, type] = {}


def transform(name: str) -> Callable[[type], type]:
    def register(cls: type) -> type:
        TRANSFORMS[name] = cls
        return cls

    return register


@transform("upper")
class Upper:
    def __call__(self, text: str) -> str:
        return text.upper()


@transform("strip")
class Strip:
    def __init__(self, chars: str = " ") -> None:
        self.chars = chars

    def __call__(self, text: str) -> str:
        return text.strip(self.chars)


class Exporter:
    formats: ClassVar[dict[str, type[Exporter]]] = {}
    separator = ","

    def __init_subclass__(cls, fmt: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if fmt:
            Exporter.formats[fmt] = cls

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, row: Sequence[object]) -> None:
        self.lines.append(self.separator.join(str(cell) for cell in row))

    def __len__(self) -> int:
        return len(self.lines)

    def __str__(self) -> str:
        return "\n".join(self.lines)


class CsvExporter(Exporter, fmt="csv"):
    pass


class TsvExporter(Exporter, fmt="tsv"):
    separator = "\t"


class MarkdownExporter(Exporter, fmt="md"):
    def __init__(self) -> None:
        super().__init__()
        self._width = 0

    @property
    def width(self) -> int:
        return self._width

    @width.setter
    def width(self, value: int) -> None:
        self._width = max(value, 0)

    def add(self, row: Sequence[object]) -> None:
        self.width = max(self.width, len(row))
        self.lines.append("| " + " | ".join(str(cell) for cell in row) + " |")

    def __str__(self) -> str:
        rule = "|" + "---|" * self.width
        return "\n".join([self.lines[0], rule, *self.lines[1:]]) if self.lines else ""


def export(fmt: str, rows: Sequence[Sequence[object]], *transforms: str) -> str:
    exporter = Exporter.formats[fmt]()
    for row in rows:
        exporter.add(row)
    text = str(exporter)
    for name in transforms:
        text = TRANSFORMS[name]()(text)
    return text


def row_count(fmt: str, rows: Sequence[Sequence[object]]) -> int:
    exporter = Exporter.formats[fmt]()
    for row in rows:
        exporter.add(row)
    return len(exporter)
