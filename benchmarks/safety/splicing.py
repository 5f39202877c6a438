"""Writing a mutated tree back as source with the smallest textual change.

Unparsing the whole module would rewrite every line (comments, quotes, wrapping), and the diff a
developer reads for an unsafe mutant would be noise. So the edited node's own text is replaced
(or the new statement's line inserted), and the result is checked to parse to exactly the
mutated tree; only when that fails is the whole module unparsed.
"""

from __future__ import annotations

import ast
import warnings

from .astpaths import Step, resolve

#: Expressions whose unparsed text needs parentheses to keep its meaning in any context.
_COMPOUND = (ast.Compare, ast.BinOp, ast.BoolOp, ast.IfExp, ast.Lambda, ast.NamedExpr, ast.UnaryOp)


def render_mutation(source: str, original: ast.Module, mutated: ast.Module, path: tuple[Step, ...],
                    edited: ast.AST) -> str | None:
    """Source text of ``mutated``, which differs from ``original`` at ``path`` (where ``edited``
    now is); None when no text parses back to the mutated tree."""
    expected = ast.dump(mutated)
    for spliced in _splices(source, resolve(original, path), resolve(mutated, path), edited):
        if _dump(spliced) == expected:
            return spliced
    unparsed = ast.unparse(mutated) + "\n"
    return unparsed if _dump(unparsed) == expected else None


def _dump(source: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.dump(ast.parse(source))
    except (SyntaxError, ValueError):
        return None


def _splices(source: str, before: ast.AST, after: ast.AST, edited: ast.AST) -> list[str]:
    """Candidate texts, best first; the caller keeps the first that parses to the mutated tree."""
    data = source.encode("utf-8")
    starts = _line_starts(data)
    if isinstance(after, (ast.FunctionDef, ast.AsyncFunctionDef)) and isinstance(before, type(after)):
        inserted = _insert_statement(data, starts, before, after, edited)
        return [inserted] if inserted is not None else []
    if not isinstance(before, (ast.expr, ast.stmt)) or before.end_lineno is None or before.end_col_offset is None:
        return []
    start = starts[before.lineno - 1] + before.col_offset
    end = starts[before.end_lineno - 1] + before.end_col_offset
    text = ast.unparse(after)
    # Bare text reads best; parentheses keep a compound expression's meaning where it needs them.
    texts = [text, f"({text})"] if isinstance(after, _COMPOUND) else [text]
    return [(data[:start] + t.encode("utf-8") + data[end:]).decode("utf-8") for t in texts]


def _insert_statement(data: bytes, starts: list[int], before: ast.FunctionDef | ast.AsyncFunctionDef,
                      after: ast.FunctionDef | ast.AsyncFunctionDef, statement: ast.AST) -> str | None:
    position = next((i for i, s in enumerate(after.body) if s is statement), None)
    if position is None or not isinstance(statement, ast.stmt):
        return None
    anchor = before.body[min(position, len(before.body) - 1)]
    indent = b" " * anchor.col_offset
    line = indent + ast.unparse(statement).encode("utf-8") + b"\n"
    if position < len(before.body):
        at = starts[anchor.lineno - 1]
        if data[at:at + anchor.col_offset].strip():
            return None  # the statement shares its line with the ``def``: no line to insert before
    else:
        if anchor.end_lineno is None or anchor.end_lineno >= len(starts):
            return None
        at = starts[anchor.end_lineno]
    return (data[:at] + line + data[at:]).decode("utf-8")


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 0x0A:
            starts.append(index + 1)
    return starts
