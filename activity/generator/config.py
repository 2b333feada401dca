"""The knobs of a generated dataset, validated once, so every module reads the same resolved values."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

#: Default end of the window when none is given: a fixed instant, so that (users, days, seed) alone
#: determines the data. Pass `end=` (e.g. now) to place the window elsewhere.
DEFAULT_END = datetime(2025, 11, 1, tzinfo=timezone.utc)


def default_communities(users: int) -> int:
    """About sqrt(users)/2 planted communities (10k users -> 50), at least 2 when there are 4+ users."""
    if users < 4:
        return 1
    return max(2, round(math.sqrt(users) / 2))


@dataclass(frozen=True)
class GenerationConfig:
    """Everything that determines the generated rows. Same config -> byte-identical rows."""

    users: int
    days: int
    seed: int
    end: datetime = DEFAULT_END
    #: planted communities; None -> default_communities(users)
    communities: int | None = None
    #: share of user-to-user and user-to-content engagement that stays inside the user's community
    in_community_share: float = 0.8
    #: share of all activity rows that are deliberately bad (accepted by Postgres, wrong for the graph)
    bad_row_share: float = 0.005
    #: mean actions per user per day (before the power law spreads it); rows per action is ~1.5
    mean_actions_per_day: float = 12.0
    #: Pareto shape of per-user activity: smaller = heavier tail (1.2-2 is typical of social sites)
    activity_alpha: float = 1.6
    #: Zipf exponent of who gets visited, followed and whose posts are seen, inside a community
    popularity_exponent: float = 1.1
    #: Django ids are first_user_id .. first_user_id + users - 1
    first_user_id: int = 1

    def __post_init__(self) -> None:
        if self.users < 2:
            raise ValueError("users must be at least 2 (engagement needs someone to engage with)")
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if self.end.tzinfo is None:
            raise ValueError("end must be timezone-aware")
        if not 0.0 <= self.in_community_share <= 1.0:
            raise ValueError("in_community_share must be within [0, 1]")
        if not 0.0 <= self.bad_row_share < 0.5:
            raise ValueError("bad_row_share must be within [0, 0.5)")
        if self.mean_actions_per_day <= 0:
            raise ValueError("mean_actions_per_day must be positive")
        if self.activity_alpha <= 1.0:
            raise ValueError("activity_alpha must be > 1 (the mean must exist)")
        if self.communities is not None and not 1 <= self.communities <= self.users:
            raise ValueError("communities must be within [1, users]")
        if self.first_user_id < 1:
            raise ValueError("first_user_id must be positive")

    @property
    def k(self) -> int:
        """The resolved number of planted communities."""
        return self.communities if self.communities is not None else default_communities(self.users)

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.days)

    @property
    def end_unix(self) -> float:
        return self.end.timestamp()

    @property
    def start_unix(self) -> float:
        return self.start.timestamp()
