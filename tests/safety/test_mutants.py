"""The mutant generator: one edit per mutant, of each promised kind, in every kind of body,
written back with the smallest diff, the same every time."""

from __future__ import annotations

import ast
import textwrap

import pytest

from benchmarks.safety.mutants import (
    ARITH,
    CLASS,
    CLASS_ATTR,
    COMPARE,
    DECORATOR_ARG,
    DEFAULT,
    FUNCTION,
    KINDS,
    METHOD,
    MODULE,
    MODULE_CONST,
    RAISE,
    RETURN_NONE,
    Mutant,
    mutants_of_source,
)

SOURCE = textwrap.dedent('''\
    """A module with one site of each kind."""
    import functools

    LIMIT = 10


    @functools.lru_cache(maxsize=32)
    def clamp(value, low=0):
        """Docstring stays first."""
        if value < low:
            return low
        return min(value, LIMIT) + 1


    class Counter:
        step = 2

        def bump(self, count):
            count -= self.step
            return count
''')


def _only(mutants: list[Mutant], kind: str, where: str) -> Mutant:
    [found] = [m for m in mutants if m.kind == kind and m.where == where]
    return found


def _changed_lines(mutant: Mutant, original: str) -> list[str]:
    return [line for line in mutant.diff(original).splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_each_kind_of_edit_changes_one_line_of_its_body():
    mutants = mutants_of_source("pkg/mod.py", SOURCE)

    expected = {
        (COMPARE, FUNCTION, "clamp"): ["-    if value < low:", "+    if value >= low:"],
        (RETURN_NONE, FUNCTION, "clamp"): ["+    return None"],
        (RAISE, FUNCTION, "clamp"): ["+    raise RuntimeError('mutant: clamp')"],
        (ARITH, FUNCTION, "clamp"): ["-    return min(value, LIMIT) + 1", "+    return min(value, LIMIT) - 1"],
        (DEFAULT, MODULE, "clamp"): ["-def clamp(value, low=0):", "+def clamp(value, low=1):"],
        (DECORATOR_ARG, MODULE, "clamp"): ["-@functools.lru_cache(maxsize=32)", "+@functools.lru_cache(maxsize=33)"],
        (MODULE_CONST, MODULE, "<module>"): ["-LIMIT = 10", "+LIMIT = 11"],
        (CLASS_ATTR, CLASS, "Counter"): ["-    step = 2", "+    step = 3"],
        (ARITH, METHOD, "Counter.bump"): ["-        count -= self.step", "+        count += self.step"],
        (RETURN_NONE, METHOD, "Counter.bump"): ["+        return None"],
        (RAISE, METHOD, "Counter.bump"): ["+        raise RuntimeError('mutant: Counter.bump')"],
    }
    assert {(m.kind, m.scope, m.where): _changed_lines(m, SOURCE) for m in mutants} == expected
    assert {m.kind for m in mutants} == set(KINDS)


def test_an_inserted_statement_follows_the_docstring():
    mutant = _only(mutants_of_source("m.py", SOURCE), RETURN_NONE, "clamp")

    clamp = ast.parse(mutant.source).body[3]

    assert isinstance(clamp, ast.FunctionDef)
    assert ast.get_docstring(clamp) == "Docstring stays first."
    assert isinstance(clamp.body[1], ast.Return)


def test_every_mutant_differs_from_the_original_tree_and_compiles():
    original = ast.dump(ast.parse(SOURCE))

    for mutant in mutants_of_source("m.py", SOURCE):
        compile(mutant.source, mutant.path, "exec")
        assert ast.dump(ast.parse(mutant.source)) != original, mutant.description


def test_generation_is_deterministic_and_keys_are_unique():
    first = mutants_of_source("m.py", SOURCE)
    second = mutants_of_source("m.py", SOURCE)

    assert first == second
    assert len({m.key for m in first}) == len(first)


def test_edits_that_would_not_compile_are_skipped():
    source = "async def numbers():\n    yield 1\n"

    kinds = [m.kind for m in mutants_of_source("gen.py", source)]

    # ``return None`` inside an async generator is a SyntaxError; raising is fine.
    assert kinds == [RAISE]


def test_a_multi_line_expression_is_rewritten_whole_and_parses_back():
    source = "def ok(a, b):\n    return (a\n            == b)\n"

    [compare] = [m for m in mutants_of_source("m.py", source) if m.kind == COMPARE]

    assert ast.dump(ast.parse(compare.source)) == ast.dump(ast.parse("def ok(a, b):\n    return a != b"))


@pytest.mark.parametrize(("path", "kind", "single"), [
    ("src/pkg/mod.py", COMPARE, True),
    ("src/pkg/mod.py", DEFAULT, False),
    ("tests/test_mod.py", COMPARE, False),
    ("tests/conftest.py", RAISE, False),
])
def test_single_function_edits_are_body_edits_of_the_code_under_test(path, kind, single):
    mutants = [m for m in mutants_of_source(path, SOURCE) if m.kind == kind]

    assert mutants
    assert {m.is_single_function_edit for m in mutants} == {single}
