"""The one union-find (disjoint sets) that grouping, names and splits share."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class DisjointSets(Generic[T]):
    """Disjoint sets over hashable items, with path halving.

    ``union`` keeps the smaller root unless told which root to keep, so the root of a set (and
    anything named after it) depends only on the sets, never on the order of the unions.
    """

    def __init__(self, items: Iterable[T] = ()) -> None:
        self.parent: dict[T, T] = {x: x for x in items}

    def add(self, x: T) -> None:
        self.parent.setdefault(x, x)

    def find(self, x: T) -> T:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: T, b: T, root: T | None = None) -> T:
        """Join the sets of ``a`` and ``b``; the root kept is ``root`` (one of the two roots) or
        the smaller root. Returns it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        keep = root if root is not None else min(ra, rb)  # type: ignore[type-var]
        other = rb if keep == ra else ra
        self.parent[other] = keep
        return keep

    def groups(self) -> dict[T, list[T]]:
        """Each root and its members, in the order the items were added."""
        out: dict[T, list[T]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return out
