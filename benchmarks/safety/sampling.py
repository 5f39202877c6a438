"""A small fixed-seed sample of a project's mutants for the fast test, with every kind in it."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .mutants import KINDS, Mutant

DEFAULT_SEED = 20240601


def sample(mutants: Sequence[Mutant], size: int, seed: int = DEFAULT_SEED) -> list[Mutant]:
    """Up to ``size`` mutants, taken in turn from each kind so that every kind the project has is
    in the sample; within a kind, edits of the code under test (and conftest files) come before
    edits of test modules, which only ever break themselves."""
    rng = random.Random(seed)
    pools: dict[str, list[Mutant]] = {}
    for kind in KINDS:
        pool = [m for m in mutants if m.kind == kind]
        rng.shuffle(pool)
        pool.sort(key=_is_test_module, reverse=True)  # popped from the end: code under test first
        pools[kind] = pool
    picked: list[Mutant] = []
    while len(picked) < size and any(pools.values()):
        for kind in KINDS:
            if pools[kind] and len(picked) < size:
                picked.append(pools[kind].pop())
    return sorted(picked, key=lambda m: (m.path, m.index))


def _is_test_module(mutant: Mutant) -> bool:
    return mutant.is_test_code and not mutant.path.endswith("conftest.py")
