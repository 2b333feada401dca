"""Content diversity as a re-ranking of scored candidates (the write-up's `optimize_content_diversity`, 4.4).

The write-up walks the ranked list and keeps an item while its kind's share of what is kept so far stays under
`preferred share x tolerance` (1.5, "allow 50% variance"), the preferred share being the viewer's share of
that kind in their own consumption (0.2 when unknown). It drops the rest; as a re-ranking nothing is dropped:
an item that would break the mix waits, is placed as soon as the mix allows it, and whatever still waits at the
end follows in its original order. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def diversify(
    ranked: Sequence[T],
    kind: Callable[[T], str | None],
    shares: Mapping[str, float] | None = None,
    *,
    default_share: float = 0.2,
    tolerance: float = 1.5,
) -> list[T]:
    """`ranked` (best first) re-ordered so that no kind runs ahead of its preferred share.

    An item of kind k is placed when `placed[k] / len(placed) < share(k) * tolerance` (always for the first
    item); `share(k)` is `shares[k]` or `default_share`. After each placement the waiting items are tried
    again, best first. Returns every item exactly once.
    """
    preferred = {str(k).lower(): float(v) for k, v in (shares or {}).items()}
    placed: list[T] = []
    counts: dict[str, int] = {}
    waiting: list[T] = []

    def key(item: T) -> str:
        k = kind(item)
        return "unknown" if k is None else str(k).lower()

    def fits(item: T) -> bool:
        if not placed:
            return True
        k = key(item)
        return counts.get(k, 0) / len(placed) < preferred.get(k, default_share) * tolerance

    def place(item: T) -> None:
        placed.append(item)
        k = key(item)
        counts[k] = counts.get(k, 0) + 1

    def drain() -> None:
        progress = True
        while progress and waiting:
            progress = False
            for n, item in enumerate(waiting):
                if fits(item):
                    place(waiting.pop(n))
                    progress = True
                    break

    for item in ranked:
        drain()
        if fits(item):
            place(item)
        else:
            waiting.append(item)
    drain()
    return placed + waiting
