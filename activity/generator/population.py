"""Who the users are: planted communities, power-law activity, authorship, popularity and daily rhythm.

Everything here is drawn once per dataset from `Random(f"{seed}:population")`, so the day-by-day
simulation can be streamed while every day sees the same population. Users are indexed 0..n-1
internally; their Django id is `first_user_id + index`.

Why these shapes:
- Activity per user is Pareto (power law): a few users produce most rows, most users little, as on
  every social platform; the planted structure must survive that skew.
- Popularity inside a community is Zipf by rank, and the ranks follow authorship, so popular users are
  the ones who post: visits, follows and content engagement concentrate on the same people.
- Each user has a preferred hour (drawn from a global evening-heavy rhythm) and a spread, which gives
  the per-user "active hours" histograms the feed's temporal signals read.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass

from . import vocab
from .config import GenerationConfig
from .ids import community_uid, user_uid, vibe_uid
from .pgbinary import inet, int4, text

#: Global share of sessions starting at each UTC hour (evening-heavy, quiet at night); sums to 1.
# fmt: off
HOUR_WEIGHTS: tuple[float, ...] = tuple(w / 100.0 for w in (
    1.5, 1.0, 0.7, 0.5, 0.5, 0.8, 1.5, 3.0, 4.5, 5.0, 5.0, 5.0,
    5.5, 5.5, 5.0, 4.8, 5.0, 5.5, 6.5, 7.5, 8.0, 7.5, 6.0, 3.2,
))
# fmt: on
_HOUR_CUM = tuple(itertools.accumulate(HOUR_WEIGHTS))


@dataclass(frozen=True)
class Group:
    """A platform `Community` node (a group users join), belonging to one planted community."""

    index: int
    uid: str
    name: str
    planted: int
    founder: int  # user index


@dataclass(frozen=True)
class Vibe:
    """One entry of the vibe catalogue (vibe_id, name, category, type and its iq/aq/sq/hq weights)."""

    uid: str
    name: str
    category: str
    vibe_type: str
    weights: tuple[float, float, float, float]


class Population:
    """Per-user attributes as parallel lists (compact at 100k+ users) and the samplers built on them."""

    def __init__(self, config: GenerationConfig) -> None:
        self.config = config
        n = config.users
        k = config.k
        rng = random.Random(f"{config.seed}:population")
        self.n = n
        self.k = k
        self.first_user_id = config.first_user_id

        # Planted communities: log-normal relative sizes, every community non-empty, users shuffled.
        sizes = _split_sizes(n, [math.exp(rng.gauss(0.0, 0.5)) for _ in range(k)])
        labels = [c for c, size in enumerate(sizes) for _ in range(size)]
        rng.shuffle(labels)
        self.community: list[int] = labels
        self.members: list[list[int]] = [[] for _ in range(k)]
        for i, c in enumerate(labels):
            self.members[c].append(i)

        # Power-law activity: Pareto(alpha) scaled to the configured mean, capped at 40x the mean.
        alpha = config.activity_alpha
        scale = config.mean_actions_per_day * (alpha - 1.0) / alpha
        cap = config.mean_actions_per_day * 40.0
        self.activity: list[float] = [min(cap, scale * rng.paretovariate(alpha)) for _ in range(n)]

        # Authorship: 60% of users ever post; among them a heavier tail, correlated with activity.
        # Mean about 0.25 creations per user per day.
        creator: list[float] = []
        for i in range(n):
            if rng.random() < 0.6:
                rate = 0.12 * rng.paretovariate(1.5) * math.sqrt(self.activity[i] / config.mean_actions_per_day)
                creator.append(min(rate, 12.0))
            else:
                creator.append(0.0)
        self.creator_rate = creator

        # Popularity: Zipf by rank inside the community; rank order follows authorship (plus noise).
        self.popularity: list[float] = [0.0] * n
        self._cum_pop: list[list[float]] = []
        s = config.popularity_exponent
        for c in range(k):
            members = self.members[c]
            members.sort(key=lambda i: -(creator[i] + 0.05 * rng.random()))
            cum: list[float] = []
            total = 0.0
            for rank, i in enumerate(members):
                w = 1.0 / (rank + 1) ** s
                self.popularity[i] = w
                total += w
                cum.append(total)
            self._cum_pop.append(cum)
        self._community_cum_size = list(itertools.accumulate(len(m) for m in self.members))

        # Daily rhythm: a preferred hour from the global rhythm, and a personal spread.
        self.peak_hour: list[int] = [bisect.bisect(_HOUR_CUM, rng.random() * _HOUR_CUM[-1]) % 24 for _ in range(n)]
        self.hour_spread: list[float] = [rng.uniform(1.0, 3.5) for _ in range(n)]

        # Devices: a stable user agent and address per user, pre-encoded for binary COPY.
        self.mobile: list[bool] = []
        self.ip_ua: list[bytes] = []
        self.user_id_field: list[bytes] = []
        for i in range(n):
            ua = rng.randrange(len(vocab.USER_AGENTS))
            self.mobile.append(ua in (0, 1, 4, 5))
            if rng.random() < 0.1:
                addr = f"2001:db8:{rng.randrange(1 << 16):x}::{rng.randrange(1, 1 << 16):x}"
            else:
                addr = f"{rng.randrange(11, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            self.ip_ua.append(inet(addr) + text(vocab.USER_AGENTS[ua]))
            self.user_id_field.append(int4(self.first_user_id + i))

        self.uid: list[str] = [user_uid(self.first_user_id + i, config.seed) for i in range(n)]

        # Platform communities ("groups"): 1 per 100 members (at most 6) per planted community.
        self.groups: list[Group] = []
        self.groups_of: list[list[Group]] = []
        for c in range(k):
            mine: list[Group] = []
            count = min(6, 1 + len(self.members[c]) // 100)
            for j in range(count):
                founder = self.members[c][min(j, len(self.members[c]) - 1)]
                g = Group(len(self.groups), community_uid(len(self.groups), config.seed), f"Circle {c}-{j}", c, founder)
                self.groups.append(g)
                mine.append(g)
            self.groups_of.append(mine)

        # Vibe catalogue.
        self.vibes: list[Vibe] = []
        for v in range(60):
            w = (rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1))
            total_w = sum(w)
            self.vibes.append(
                Vibe(
                    vibe_uid(v, config.seed),
                    f"Vibe {v}",
                    vocab.VIBE_CATEGORIES[v % len(vocab.VIBE_CATEGORIES)],
                    ("individual", "main", "community", "brand", "service")[min(4, v // 15)],
                    (
                        round(w[0] / total_w, 3),
                        round(w[1] / total_w, 3),
                        round(w[2] / total_w, 3),
                        round(w[3] / total_w, 3),
                    ),
                )
            )

    # --- samplers ----------------------------------------------------------------------------------

    def user_id(self, i: int) -> int:
        return self.first_user_id + i

    def target_community(self, rng: random.Random, own: int) -> int:
        """The actor's own community with probability `in_community_share`, else another, by size."""
        if self.k == 1 or rng.random() < self.config.in_community_share:
            return own
        while True:
            c = bisect.bisect(self._community_cum_size, rng.random() * self._community_cum_size[-1])
            c = min(c, self.k - 1)
            if c != own:
                return c

    def popular_member(self, rng: random.Random, community: int) -> int:
        """A member of `community`, drawn in proportion to popularity (Zipf by rank)."""
        cum = self._cum_pop[community]
        j = bisect.bisect(cum, rng.random() * cum[-1])
        return self.members[community][min(j, len(cum) - 1)]

    def pick_user(self, rng: random.Random, actor: int) -> int:
        """Someone for `actor` to visit, follow, message or vibe: mostly in-community, never the actor."""
        for _ in range(4):
            other = self.popular_member(rng, self.target_community(rng, self.community[actor]))
            if other != actor:
                return other
        return (actor + 1 + rng.randrange(self.n - 1)) % self.n

    def session_hour(self, rng: random.Random, i: int) -> float:
        """A session start hour (fractional) for user i: personal peak +/- spread, 15% background."""
        if rng.random() < 0.15:
            return bisect.bisect(_HOUR_CUM, rng.random() * _HOUR_CUM[-1]) % 24 + rng.random()
        return (self.peak_hour[i] + rng.gauss(0.0, self.hour_spread[i]) + rng.random()) % 24.0


def _split_sizes(n: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of n items by weights, every part at least 1 (n >= len(weights))."""
    k = len(weights)
    total = sum(weights)
    rest = n - k
    raw = [w / total * rest for w in weights]
    sizes = [1 + int(r) for r in raw]
    leftover = n - sum(sizes)
    order = sorted(range(k), key=lambda i: -(raw[i] - int(raw[i])))
    for i in order[:leftover]:
        sizes[i] += 1
    return sizes
