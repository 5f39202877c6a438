"""Test outcomes from the JUnit XML a pytest run writes (``--junitxml``, family ``xunit1``).

JUnit mangles node ids (``tests/test_cart.py::TestCart::test_add`` becomes classname
``tests.test_cart.TestCart``, name ``test_add``); the ``file`` attribute of the xunit1 family
and the project's test files give the path part back.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Outcome = Literal["passed", "failed", "error", "skipped"]
#: Longest failure message kept (a diagnostic is a line or two, not a traceback).
MAX_MESSAGE = 500


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False

    node_id: str
    outcome: Outcome
    #: The failure's short text (pytest's ``message`` attribute), empty when it passed.
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "error")


def _dotted(path: str) -> str:
    stem = path[:-3] if path.endswith(".py") else path
    return stem.replace("/", ".")


def node_id_of(classname: str, name: str, file: str | None, known_files: Iterable[str]) -> str:
    """Rebuild a node id from JUnit's ``classname``/``name``."""
    candidates = [file.replace("\\", "/")] if file else []
    candidates += sorted(known_files, key=len, reverse=True)
    for path in candidates:
        dotted = _dotted(path)
        if classname == dotted:
            return f"{path}::{name}"
        if classname.startswith(dotted + "."):
            classes = classname[len(dotted) + 1 :].split(".")
            return "::".join([path, *classes, name])
    if not classname:  # a collection error: the name is the module
        return name.replace(".", "/") + ".py"
    return f"{classname.replace('.', '/')}.py::{name}"


def _message(element: ET.Element) -> str:
    text = (element.get("message") or "").strip()
    if not text:
        lines = (element.text or "").strip().splitlines()
        text = lines[-1].strip() if lines else element.tag
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def parse_junit(path: Path, known_files: Iterable[str] = ()) -> list[TestOutcome]:
    """Every test case of the report; ``ET.ParseError``/``OSError`` when it is unreadable."""
    known = list(known_files)
    root = ET.parse(path).getroot()
    out: list[TestOutcome] = []
    for case in root.iter("testcase"):
        node_id = node_id_of(case.get("classname", ""), case.get("name", ""), case.get("file"), known)
        outcome: Outcome = "passed"
        message = ""
        for child in case:
            if child.tag in ("failure", "error"):
                # A teardown error after a failure: the failure is the news.
                if outcome not in ("failed", "error"):
                    outcome = "failed" if child.tag == "failure" else "error"
                    message = _message(child)
            elif child.tag == "skipped" and outcome == "passed":
                outcome = "skipped"
        out.append(TestOutcome(node_id, outcome, message))
    return out
