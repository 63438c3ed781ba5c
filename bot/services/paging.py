"""One page of a listing: counted first, so a stale or forged page number lands on the last real page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    pages: int


def clamp(page: int, total: int, size: int) -> tuple[int, int]:
    """(the page to show, the number of pages) for a wanted page of `total` items, `size` a page."""
    pages = max(1, -(-total // size))
    return min(max(page, 0), pages - 1), pages
