"""Addresses of AST nodes: the same address finds a node in a tree and in its deep copy."""

from __future__ import annotations

import ast

#: A step from a node to one of its children: the field name, and the index in a list field.
Step = tuple[str, "int | None"]


def resolve(tree: ast.AST, path: tuple[Step, ...]) -> ast.AST:
    node: ast.AST = tree
    for field, index in path:
        value = getattr(node, field)
        node = value[index] if index is not None else value
    return node
