"""The train/test split: each user's latest items held out, by time (pure).

Per user, rows are ordered by (timestamp, position in the file). A user's *target items* are the items they
interacted with by a kind in `target_kinds` (every kind but ``create`` by default), less the items they
created. A user with at least ``holdout + min_train_items`` target items is a *test user*: their last
``holdout`` target items, by first interaction, are held out. The user's request time (the cut-off) is the
first interaction with any held-out item; the training set keeps only that user's rows before the cut-off
(every other row of theirs, later re-interactions with older items included, is dropped), so nothing the
user did at or after the moment the feed is asked for reaches the graph or the baselines. Users with fewer
target items keep all their rows, as training data for everybody else.

Social rows follow the same cut: a test user's own social rows (as the acting user) at or after their
cut-off are dropped; undated social rows are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from evaluation.dataset import INTERACTION_KINDS, Dataset, Interaction, SocialEdge

DEFAULT_TARGET_KINDS: tuple[str, ...] = tuple(k for k in INTERACTION_KINDS if k != "create")


@dataclass(frozen=True)
class Split:
    """The training rows (file order), each test user's held-out items and cut-off time."""

    train: tuple[Interaction, ...]
    social: tuple[SocialEdge, ...]
    test: Mapping[str, tuple[str, ...]]  # user -> held-out items, in the order they were first met
    cutoff: Mapping[str, datetime]  # test user -> time of their first held-out interaction
    holdout: int

    @property
    def test_users(self) -> list[str]:
        return sorted(self.test)

    def seen(self) -> dict[str, set[str]]:
        """Items each user has in the training set (rankers never recommend these to them)."""
        out: dict[str, set[str]] = {}
        for r in self.train:
            out.setdefault(r.user_id, set()).add(r.item_id)
        return out


def split_dataset(
    dataset: Dataset,
    holdout: int = 1,
    *,
    min_train_items: int = 1,
    target_kinds: Iterable[str] = DEFAULT_TARGET_KINDS,
) -> Split:
    """Hold out each eligible user's last `holdout` target items (see the module docstring)."""
    if holdout < 1:
        raise ValueError(f"holdout must be >= 1, got {holdout}")
    if min_train_items < 1:
        raise ValueError(f"min_train_items must be >= 1, got {min_train_items}")
    kinds = frozenset(target_kinds)
    by_user: dict[str, list[int]] = {}
    for pos, r in enumerate(dataset.interactions):
        by_user.setdefault(r.user_id, []).append(pos)

    rows = dataset.interactions
    keep = [True] * len(rows)
    test: dict[str, tuple[str, ...]] = {}
    cutoff: dict[str, datetime] = {}
    for user, positions in by_user.items():
        positions.sort(key=lambda p: (rows[p].timestamp, p))
        created = {rows[p].item_id for p in positions if rows[p].kind == "create"}
        first: dict[str, int] = {}  # target item -> rank (in `positions`) of its first target interaction
        for rank, p in enumerate(positions):
            r = rows[p]
            if r.kind in kinds and r.item_id not in created and r.item_id not in first:
                first[r.item_id] = rank
        if len(first) < holdout + min_train_items:
            continue
        ordered = sorted(first, key=first.__getitem__)
        held = ordered[-holdout:]
        cut_rank = first[held[0]]
        test[user] = tuple(held)
        cutoff[user] = rows[positions[cut_rank]].timestamp
        for p in positions[cut_rank:]:
            keep[p] = False

    social = tuple(
        s for s in dataset.social
        if s.timestamp is None or s.user_id not in cutoff or s.timestamp < cutoff[s.user_id]
    )
    train = tuple(r for r, k in zip(rows, keep, strict=True) if k)
    return Split(train, social, test, cutoff, holdout)
