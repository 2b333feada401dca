"""The day-by-day simulation: sessions, actions and the rows each action writes, as the platform writes them.

Model, per user and day:
- A user is active with a probability that grows with their (power-law) activity rate; an active day
  holds `actions` actions (log-normal noise around rate / p_active) plus the user's creations.
- Actions happen in sessions (one per ~10 actions) starting around the user's preferred hour; a
  session writes a `session_activity` row and sometimes `login`/`logout` rows.
- Each action has a kind (profile visit, feed load, view, like, ... see `ACTION_WEIGHTS`) that writes
  one or more rows the way the platform's code paths do (a profile visit writes `social_interaction`
  `profile_visit` and, on the profile page, a `profile_activity` visitor -> owner row; a connection
  request is answered days later by the receiver; a vibe sent to a user is mirrored by a
  `vibe_receive` row of that user; ...).
- Targets (users and content) come from the actor's planted community with probability
  `in_community_share`, else from another community; inside a community, by popularity / recency.
- Content can be engaged with from the day after it was created, so every engaged content id has a
  `create` row by its author earlier in time (only deliberately bad rows break this).
- Daily `activity_aggregation` rows for a day are written early the next day (as the platform's
  Celery job does); weekly ones on Mondays.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Final

from . import rows, vocab
from .badrows import BadRowMaker
from .batch import DayRows
from .config import GenerationConfig
from .ids import as_uuid4
from .pgbinary import date_field, pg_us_to_datetime, unix_to_pg_us
from .population import Population
from .tables import AG, CI, MI, PA, SA, SI, UA, VA

#: ip_address and user_agent both NULL: the platform's `track_*_by_id`, feed, vibe and connection paths
#: pass no request, so their rows carry neither (profile visits, creates, post engagement, logins and
#: sessions do).
NO_IP_UA: Final = b"\xff\xff\xff\xff" * 2
HOUR_US: Final = 3_600_000_000
DAY_US: Final = 24 * HOUR_US

# Action kinds and their relative weights (per action). Chosen so that the row mix follows the
# write-up: profile visits dominate, then content engagement (feed impressions, views, likes, ...),
# media, vibes, messages and connections.
VISIT, BROWSE, FEED, VIEW, LIKE, COMMENT, SHARE, SAVE, UNDO, DWELL, RARE, JOIN, PAGE, PROFILE_UPDATE, \
    CONNECT, MESSAGE, MESSAGE_READ, SOCIAL_MISC, VIBE_SEND, VIBE_OTHER, MEDIA, USER_MISC = range(22)  # fmt: skip

ACTION_WEIGHTS: Final[dict[int, float]] = {
    VISIT: 26.0,
    BROWSE: 4.0,
    FEED: 3.0,
    VIEW: 8.0,
    LIKE: 6.0,
    COMMENT: 2.5,
    SHARE: 1.0,
    SAVE: 1.2,
    UNDO: 0.5,
    DWELL: 2.0,
    RARE: 0.4,
    JOIN: 0.5,
    PAGE: 2.5,
    PROFILE_UPDATE: 0.15,
    CONNECT: 0.9,
    MESSAGE: 2.5,
    MESSAGE_READ: 1.5,
    SOCIAL_MISC: 0.7,
    VIBE_SEND: 1.6,
    VIBE_OTHER: 1.6,
    MEDIA: 5.0,
    USER_MISC: 3.0,
}
_KINDS: Final = tuple(ACTION_WEIGHTS)
_KIND_CUM: Final = tuple(itertools.accumulate(ACTION_WEIGHTS.values()))

#: content created by authors: (content_type, weight)
_CREATE_TYPES: Final = (("post", 0.68), ("story", 0.22), ("community_post", 0.10))
_CREATE_CUM: Final = tuple(itertools.accumulate(w for _, w in _CREATE_TYPES))

_PROFILE_BROWSE: Final = (
    ("posts_browse", 3.0), ("stories_browse", 2.0), ("achievement_view", 1.0), ("experience_view", 1.0),
    ("profile_follow", 1.5), ("profile_unfollow", 0.2), ("profile_share", 0.5), ("profile_message", 0.8),
    ("profile_block", 0.05), ("profile_unblock", 0.02), ("profile_report", 0.03),
)  # fmt: skip
_PROFILE_BROWSE_CUM: Final = tuple(itertools.accumulate(w for _, w in _PROFILE_BROWSE))

_USER_MISC: Final = (
    ("page_view", 5.0), ("search", 2.0), ("navigation", 2.0), ("feature_usage", 1.0),
    ("settings_update", 0.15), ("notification_update", 0.1), ("privacy_update", 0.05),
    ("password_change", 0.02), ("email_change", 0.01), ("error", 0.2), ("scroll", 0.6),
    ("session_data", 0.3),
)  # fmt: skip
_USER_MISC_CUM: Final = tuple(itertools.accumulate(w for _, w in _USER_MISC))

#: Content = (content_type, content_id, author index, platform-community index or -1, created at)
Content = tuple[str, str, int, int, int]


def _pick(cum: tuple[float, ...], rng: random.Random) -> int:
    return bisect.bisect(cum, rng.random() * cum[-1])


def _hex(rng: random.Random) -> str:
    """A uuid4().hex-shaped id from the simulation's generator."""
    return f"{as_uuid4(rng.getrandbits(128)):032x}"


class Simulator:
    """Streams the dataset one day at a time; holds only cross-day state (content pools, pending replies)."""

    def __init__(self, config: GenerationConfig, population: Population | None = None) -> None:
        self.cfg = config
        self.pop = population or Population(config)
        self.start_us = unix_to_pg_us(config.start_unix)
        self.end_us = unix_to_pg_us(config.end_unix)
        self.start_day_number = math.floor(config.start_unix / 86400)
        self.start_weekday = datetime.fromtimestamp(config.start_unix, timezone.utc).weekday()
        k = self.pop.k
        # Content per planted community: created before today, and created today (engageable once its
        # create row is in the past). Comments are kept apart: only likes and replies go to them.
        self.pools: list[list[Content]] = [[] for _ in range(k)]
        self.comments: list[list[Content]] = [[] for _ in range(k)]
        self.pools_today: list[list[Content]] = [[] for _ in range(k)]
        self.comments_today: list[list[Content]] = [[] for _ in range(k)]
        # Connection requests answered later: day -> [(receiver, sender, connection uid, answer)].
        self.replies: defaultdict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
        self.joined: set[tuple[int, int]] = set()
        # Aggregation counters: yesterday's per-user daily counts, and this week's running totals.
        self.yesterday: list[tuple[int, list[int]]] = []
        self.today: list[tuple[int, list[int]]] = []
        self.week: dict[int, list[int]] = {}
        self.bad = BadRowMaker(self)
        self._handlers: tuple[Callable[[DayRows, random.Random, int, int], None], ...] = (
            self._visit, self._browse, self._feed, self._view, self._like, self._comment, self._share,
            self._save, self._undo, self._dwell, self._rare, self._join, self._page, self._profile_update,
            self._connect, self._message, self._message_read, self._social_misc, self._vibe_send,
            self._vibe_other, self._media, self._user_misc,
        )  # fmt: skip
        self._cnt: list[int] = [0] * len(_COUNT_NAMES)

    # --- the day ----------------------------------------------------------------------------------

    def day(self, d: int) -> DayRows:
        """Generate every row of day `d` (0-based); call for d = 0, 1, ... in order."""
        rng = random.Random(f"{self.cfg.seed}:day:{d}")
        out = DayRows()
        self.day_index = d
        self.day_start = self.start_us + d * DAY_US
        self.weekday = (self.start_weekday + d) % 7
        self._aggregations(out, rng)
        if d == 0:
            self._create_groups(out, rng)
        self._answer_connections(out, rng, d)
        weekday_factor = (1.0, 1.0, 1.0, 1.02, 1.05, 1.12, 1.1)[self.weekday]
        pop = self.pop
        for i in range(pop.n):
            self._user_day(out, rng, i, pop.activity[i] * weekday_factor, pop.creator_rate[i])
        good = out.count()
        share = self.cfg.bad_row_share
        if share > 0:
            expected = good * share / (1.0 - share)
            for _ in range(int(expected + rng.random())):
                self.bad.make(out, rng)
        for c in range(self.pop.k):
            self.pools[c].extend(self.pools_today[c])
            self.comments[c].extend(self.comments_today[c])
            self.pools_today[c] = []
            self.comments_today[c] = []
        self.yesterday, self.today = self.today, []
        return out

    def _user_day(self, out: DayRows, rng: random.Random, i: int, rate: float, creator_rate: float) -> None:
        p_active = min(1.0, 0.08 + rate / 5.0)
        if rng.random() >= p_active:
            return
        actions = int(rate / p_active * rng.lognormvariate(-0.06, 0.35) + rng.random())
        creates = int(creator_rate / p_active * 2.0 * rng.random() + rng.random()) if creator_rate else 0
        if actions + creates == 0:
            return
        pop = self.pop
        cnt = self._cnt
        for j in range(len(cnt)):
            cnt[j] = 0
        sessions = 1 + int(max(0, actions - 1) / 10.0 + rng.random() * 0.5)
        kinds = rng.choices(_KINDS, cum_weights=_KIND_CUM, k=actions) if actions else []
        handlers = self._handlers
        per = len(kinds) / sessions
        ip_ua = pop.ip_ua[i]
        user = pop.user_id_field[i]
        end_us = self.end_us
        for s in range(sessions):
            mine = kinds[round(s * per) : round((s + 1) * per)]
            my_creates = creates // sessions + (1 if s < creates % sessions else 0)
            n_here = len(mine) + my_creates
            length = int(rng.lognormvariate(5.3, 0.8) * (1.0 + n_here / 6.0)) + 5  # seconds
            start = self.day_start + int(pop.session_hour(rng, i) * HOUR_US)
            if start + length * 1_000_000 >= end_us:
                start = end_us - (length + 60) * 1_000_000
            span = length * 1_000_000
            for kind in mine:
                handlers[kind](out, rng, i, start + int(rng.random() * span))
            for _ in range(my_creates):
                self._create(out, rng, i, start + int(rng.random() * span))
            self._session(out, rng, i, start, length, n_here, ip_ua, user)
        cnt[_C_SESSIONS] += sessions
        self.today.append((i, list(cnt)))

    # --- sessions, logins, aggregations --------------------------------------------------------------

    def _session(
        self, out: DayRows, rng: random.Random, i: int, start: int, length: int, actions: int, ip_ua: bytes,
        user: bytes,
    ) -> None:  # fmt: skip
        end = start + length * 1_000_000
        mobile = self.pop.mobile[i]
        r = rng.random()
        stype = "api" if r < 0.02 else ("mobile" if mobile else "web")
        if r > 0.9995:
            stype = "admin"
        sid = f"sess_{rng.getrandbits(96):024x}"
        device = vocab.DEVICES[i % len(vocab.DEVICES)]
        country = vocab.COUNTRIES[(i * 7 + self.pop.community[i]) % len(vocab.COUNTRIES)]
        pages = max(1, actions // 2 + int(rng.random() * 3))
        referrer = None if mobile or r < 0.5 else "https://www.google.com/"
        exit_page = vocab.PAGE_URLS[int(rng.random() * len(vocab.PAGE_URLS))]
        out.add(
            SA,
            start,
            rows.session_activity(
                rng.getrandbits(128), start, ip_ua, f'{{"source": "app", "version": "3.2.{i % 3}"}}', sid, stype,
                start, end, length, pages, actions,
                f'{{"device": "{device}", "platform": "{"mobile" if mobile else "desktop"}"}}',
                f'{{"country": "{country}"}}', referrer, exit_page, user,
            ),
        )  # fmt: skip
        if 0.3 <= r < 0.36:
            # analytics TrackUserSession: a content row of type 'session' (off-list), id = the session id
            meta = (
                f'{{"session_start": "{_iso(start)}", "session_end": "{_iso(end)}", "pages_visited": {pages}, '
                f'"device_type": "{"mobile" if mobile else "desktop"}"}}'
            )
            out.add(
                CI,
                end,
                rows.content_interaction(
                    rng.getrandbits(128), end, NO_IP_UA, meta, "session", sid, "session_data", None, None, user
                ),
            )
        if r < 0.3:
            out.add(
                UA,
                start,
                rows.user_activity(
                    rng.getrandbits(128), start, ip_ua, f'{{"session_id": "{sid}", "method": "token"}}', "login",
                    "User logged in", True, user,
                ),
            )  # fmt: skip
            self._cnt[_C_LOGINS] += 1
        if r > 0.8:
            out.add(UA, end, rows.user_activity(rng.getrandbits(128), end, ip_ua, "{}", "logout", None, True, user))

    def _aggregations(self, out: DayRows, rng: random.Random) -> None:
        """Yesterday's daily rows (and on Mondays last week's weekly rows), written after midnight."""
        if not self.yesterday:
            return
        day_number = self.start_day_number + self.day_index - 1
        day_f = date_field(day_number)
        field_of = self.pop.user_id_field
        for i, counts in self.yesterday:
            created = self.day_start + int((0.08 + rng.random() * 0.5) * HOUR_US)
            out.add(
                AG,
                created,
                rows.activity_aggregation("daily", day_f, _counts_json(counts), _score(counts), created, field_of[i]),
            )
            week = self.week.get(i)
            if week is None:
                self.week[i] = list(counts)
            else:
                for j, v in enumerate(counts):
                    week[j] += v
        if self.weekday == 0 and self.week:
            week_f = date_field(day_number - 6)
            for i in sorted(self.week):
                counts = self.week[i]
                created = self.day_start + int((1.0 + rng.random()) * HOUR_US)
                out.add(
                    AG,
                    created,
                    rows.activity_aggregation(
                        "weekly", week_f, _counts_json(counts), _score(counts), created, field_of[i]
                    ),
                )
            self.week = {}

    # --- content -----------------------------------------------------------------------------------

    def _create(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        ctype = _CREATE_TYPES[_pick(_CREATE_CUM, rng)][0]
        cid = _hex(rng)
        group = -1
        if ctype == "community_post":
            groups = pop.groups_of[pop.community[i]]
            group = groups[int(rng.random() * len(groups))].index
            meta = (
                f'{{"community_uid": "{pop.groups[group].uid}", "has_media": {_b(rng.random() < 0.4)}, '
                f'"content_id": "{cid}"}}'
            )
        elif ctype == "post":
            meta = (
                f'{{"privacy": "{vocab.PRIVACY[int(rng.random() * 2.2)]}", "has_tags": {_b(rng.random() < 0.3)}, '
                f'"has_media": {_b(rng.random() < 0.5)}, "post_type": "{vocab.POST_TYPES[int(rng.random() * 5)]}", '
                f'"content_id": "{cid}"}}'
            )
        else:
            meta = f'{{"story_type": "{("image", "video", "text")[int(rng.random() * 3)]}", "content_id": "{cid}"}}'
        ip_ua = pop.ip_ua[i]
        user = pop.user_id_field[i]
        out.add(
            CI,
            ts,
            rows.content_interaction(rng.getrandbits(128), ts, ip_ua, meta, ctype, cid, "create", None, None, user),
        )
        if rng.random() < 0.5:
            ua_type = "story_create" if ctype == "story" else "post_create"
            out.add(
                UA,
                ts + 2000,
                rows.user_activity(
                    rng.getrandbits(128), ts + 2000, ip_ua, f'{{"content_id": "{cid}"}}', ua_type, None, True, user
                ),
            )
        self.pools_today[pop.community[i]].append((ctype, cid, i, group, ts))
        self._cnt[_C_CREATED] += 1

    def pick_content(self, rng: random.Random, i: int, ts: int, *, comment: bool = False) -> Content | None:
        """Content for user i to engage with at `ts`: mostly from the own community, recent items favoured.

        Today's items are candidates once created (a minute before `ts`); older ones are drawn with a
        recency bias of about two days of the community's output. None when nothing is available yet.
        """
        pop = self.pop
        own = pop.community[i]
        c = pop.target_community(rng, own)
        pools, today = (self.comments, self.comments_today) if comment else (self.pools, self.pools_today)
        for community in (c, own) if c != own else (c,):
            pool = pools[community]
            fresh = today[community]
            if fresh and (not pool or rng.random() < 0.3):
                for _ in range(3):
                    item = fresh[int(rng.random() * len(fresh))]
                    if item[4] < ts - 60_000_000:
                        return item
            if pool:
                n = len(pool)
                back = int(rng.expovariate(1.0) * max(5.0, 2.0 * n / max(1, self.day_index)))
                item = pool[n - 1 - back] if back < n else pool[int(rng.random() * n)]
                if item[4] >= ts - 60_000_000:  # created in a session that ran past midnight
                    item = pool[int(rng.random() * n)]
                if item[4] < ts - 60_000_000:
                    return item
        return None

    def _engage(
        self,
        out: DayRows,
        rng: random.Random,
        i: int,
        ts: int,
        itype: str,
        meta: str = "{}",
        duration: int | None = None,
        scroll: float | None = None,
        comment: bool = False,
    ) -> Content | None:
        content = self.pick_content(rng, i, ts, comment=comment)
        if content is None:
            self._page(out, rng, i, ts)
            return None
        ctype = content[0]
        if itype in ("like", "react") and ctype == "story":
            itype = "react" if rng.random() < 0.6 else "reaction"
        pop = self.pop
        out.add(
            CI,
            ts,
            rows.content_interaction(
                rng.getrandbits(128), ts, pop.ip_ua[i], meta, ctype, content[1], itype, duration, scroll,
                pop.user_id_field[i],
            ),
        )  # fmt: skip
        return content

    def _feed(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        """A feed load: several `view` impressions marked feed_view, written in the same instant."""
        src = vocab.FEED_CONTENT_SOURCES[min(3, int(rng.random() ** 3 * 4))]
        meta = f'{{"source": "feed_view", "algorithm": "analytics_based", "content_source": "{src}"}}'
        pop = self.pop
        ip_ua = NO_IP_UA
        user = pop.user_id_field[i]
        for k in range(3 + int(rng.random() * 6)):
            content = self.pick_content(rng, i, ts)
            if content is None or content[0] != "post":
                continue
            # The feed tracks every item as content_type 'post' (post/graphql/query.py).
            t = ts + k * 40
            out.add(
                CI,
                t,
                rows.content_interaction(
                    rng.getrandbits(128), t, ip_ua, meta, "post", content[1], "view", None, None, user
                ),
            )
            self._cnt[_C_IMPRESSIONS] += 1

    def _view(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        duration = int(rng.lognormvariate(2.8, 1.0))
        scroll = round(min(100.0, rng.betavariate(2.0, 1.5) * 100.0), 1)
        self._engage(out, rng, i, ts, "view", '{"source": "post_detail"}', min(duration, 1800), scroll)
        self._cnt[_C_VIEWS] += 1

    def _like(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        self._engage(out, rng, i, ts, "like", '{"reaction": "like"}', comment=rng.random() < 0.15)
        self._cnt[_C_LIKES] += 1

    def _comment(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        comment_uid = _hex(rng)
        has_media = rng.random() < 0.25
        meta = (
            f'{{"comment_uid": "{comment_uid}", "has_media": {_b(has_media)}, '
            f'"comment_length": {int(rng.expovariate(1 / 60)) + 1}}}'
        )
        content = self._engage(out, rng, i, ts, "comment", meta, comment=rng.random() < 0.1)
        if content is None:
            return
        self._cnt[_C_COMMENTS] += 1
        if rng.random() < 0.2:
            # The comment itself becomes content others can like (content_type 'comment').
            pop = self.pop
            t = ts + 500
            out.add(
                CI, t,
                rows.content_interaction(
                    rng.getrandbits(128), t, pop.ip_ua[i], f'{{"post_uid": "{content[1]}"}}', "comment",
                    comment_uid, "create", None, None, pop.user_id_field[i],
                ),
            )  # fmt: skip
            self.comments_today[pop.community[i]].append(("comment", comment_uid, i, -1, t))

    def _share(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        target = ("connections", "external", "message")[int(rng.random() * 3)]
        self._engage(out, rng, i, ts, "share", f'{{"share_target": "{target}"}}')
        self._cnt[_C_SHARES] += 1

    def _save(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        self._engage(out, rng, i, ts, "save")
        self._cnt[_C_SAVES] += 1

    def _undo(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        self._engage(out, rng, i, ts, ("unlike", "unsave", "unreact")[int(rng.random() * 3)])

    def _dwell(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        if rng.random() < 0.5:
            self._engage(
                out, rng, i, ts, "time_spent", '{"tracker": "client"}', min(3600, int(rng.lognormvariate(3.2, 1.0)))
            )
        else:
            scroll = round(min(100.0, rng.betavariate(2.2, 1.2) * 100.0), 1)
            self._engage(out, rng, i, ts, "scroll_depth", '{"tracker": "client"}', None, scroll)

    def _rare(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        itype = ("pin", "unpin", "report", "hide", "rate", "update")[int(rng.random() * 6)]
        self._engage(out, rng, i, ts, itype, '{"rating": 4}' if itype == "rate" else "{}")

    def _join(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        """Join a platform community (content_type 'community', off-list 'join') + group_join."""
        pop = self.pop
        if self.day_index == 0:
            self._page(out, rng, i, ts)
            return
        groups = pop.groups_of[pop.target_community(rng, pop.community[i])]
        g = groups[int(rng.random() * len(groups))]
        key = (i, g.index)
        ip_ua = NO_IP_UA
        user = pop.user_id_field[i]
        if key in self.joined:
            out.add(
                SI, ts,
                rows.social_interaction(
                    rng.getrandbits(128), ts, ip_ua, "{}", "group_leave", "community", g.uid, None, user
                ),
            )  # fmt: skip
            self.joined.discard(key)
            return
        self.joined.add(key)
        out.add(
            CI, ts,
            rows.content_interaction(
                rng.getrandbits(128), ts, ip_ua, f'{{"community_id": "{g.uid}", "community_name": "{g.name}"}}',
                "community", g.uid, "join", None, None, user,
            ),
        )  # fmt: skip
        out.add(
            SI,
            ts + 800,
            rows.social_interaction(
                rng.getrandbits(128), ts + 800, ip_ua, "{}", "group_join", "community", g.uid, None, user
            ),
        )

    def _create_groups(self, out: DayRows, rng: random.Random) -> None:
        """Day 0: every platform community is created by its founder (content_type 'community')."""
        pop = self.pop
        for g in pop.groups:
            i = g.founder
            ts = self.day_start + int(pop.session_hour(rng, i) * HOUR_US)
            meta = (
                f'{{"community_id": "{g.uid}", "community_name": "{g.name}", "community_type": "interest", '
                f'"member_count": 1, "has_matrix_room": true, "agent_assigned": false}}'
            )
            ip_ua = NO_IP_UA
            user = pop.user_id_field[i]
            out.add(
                CI,
                ts,
                rows.content_interaction(
                    rng.getrandbits(128), ts, ip_ua, meta, "community", g.uid, "create", None, None, user
                ),
            )
            out.add(
                UA,
                ts + 3000,
                rows.user_activity(
                    rng.getrandbits(128),
                    ts + 3000,
                    ip_ua,
                    f'{{"community_id": "{g.uid}"}}',
                    "community_create",
                    None,
                    True,
                    user,
                ),
            )
            self.joined.add((i, g.index))

    def _page(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        """Analytics page tracking: content_type 'page', content_id the page URL, interaction 'scroll'."""
        pop = self.pop
        url = vocab.PAGE_URLS[int(rng.random() * len(vocab.PAGE_URLS))]
        depth = int(rng.random() * 100)
        meta = f'{{"max_scroll_depth": {depth}, "time_on_page": {int(rng.expovariate(1 / 40))}, "session_id": ""}}'
        out.add(
            CI,
            ts,
            rows.content_interaction(
                rng.getrandbits(128), ts, NO_IP_UA, meta, "page", url, "scroll", None, None, pop.user_id_field[i]
            ),
        )

    def _profile_update(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        uid = pop.uid[i]
        ip_ua = pop.ip_ua[i]
        user = pop.user_id_field[i]
        fields = ('["bio"]', '["profile_pic_id"]', '["bio", "designation"]')[int(rng.random() * 3)]
        out.add(
            CI,
            ts,
            rows.content_interaction(
                rng.getrandbits(128),
                ts,
                ip_ua,
                f'{{"updated_fields": {fields}, "profile_id": "{uid}"}}',
                "profile",
                uid,
                "update",
                None,
                None,
                user,
            ),
        )
        out.add(
            UA,
            ts + 1000,
            rows.user_activity(
                rng.getrandbits(128), ts + 1000, ip_ua, "{}", "profile_update", "Profile updated", True, user
            ),
        )

    # --- people ------------------------------------------------------------------------------------

    def _visit(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        j = pop.pick_user(rng, i)
        owner_id = pop.first_user_id + j
        ip_ua = pop.ip_ua[i]
        user = pop.user_id_field[i]
        if rng.random() < 0.1:
            # Suggested-profile path: context 'feed_view', context_id the owner's Users.uid, no metadata.
            out.add(
                SI,
                ts,
                rows.social_interaction(
                    rng.getrandbits(128), ts, ip_ua, "{}", "profile_visit", "feed_view", pop.uid[j], owner_id, user
                ),
            )
        else:
            meta = (
                f'{{"query_type": "profile_by_user_id", "profile_user_id": "{owner_id}", '
                f'"visitor_user_id": {pop.first_user_id + i}}}'
            )
            out.add(
                SI,
                ts,
                rows.social_interaction(
                    rng.getrandbits(128), ts, ip_ua, meta, "profile_visit", "profile", str(owner_id), owner_id, user
                ),
            )
            if rng.random() < 0.6:
                # track_profile_visit writes the same visit to profile_activity too (same metadata).
                t = ts + 300
                duration = min(900, int(rng.lognormvariate(3.0, 0.9)))
                out.add(
                    PA,
                    t,
                    rows.profile_activity(
                        rng.getrandbits(128), t, ip_ua, meta, "profile_view", duration, owner_id, user
                    ),
                )
        self._cnt[_C_VISITS] += 1

    def _browse(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        j = pop.pick_user(rng, i)
        activity = _PROFILE_BROWSE[_pick(_PROFILE_BROWSE_CUM, rng)][0]
        duration = min(900, int(rng.lognormvariate(2.5, 1.0))) if activity.endswith(("browse", "view")) else None
        out.add(
            PA,
            ts,
            rows.profile_activity(
                rng.getrandbits(128),
                ts,
                pop.ip_ua[i],
                "{}",
                activity,
                duration,
                pop.first_user_id + j,
                pop.user_id_field[i],
            ),
        )

    def _connect(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        """A connection request (v1 social row; v2 also a content row 'send_request'); answered later."""
        pop = self.pop
        j = pop.pick_user(rng, i)
        conn = _hex(rng)
        ip_ua = NO_IP_UA
        user = pop.user_id_field[i]
        circle = vocab.CIRCLE_TYPES[int(rng.random() * 3)]
        relation = vocab.RELATIONS[int(rng.random() * 4)]
        meta = (
            f'{{"receiver_uid": "{pop.uid[j]}", "circle_type": "{circle}", "relation": "{relation}", '
            f'"sub_relation": "{relation}"}}'
        )
        out.add(
            SI,
            ts,
            rows.social_interaction(
                rng.getrandbits(128),
                ts,
                ip_ua,
                meta,
                "connection_request",
                "connection",
                conn,
                pop.first_user_id + j,
                user,
            ),
        )
        if rng.random() < 0.5:
            meta2 = f'{{"receiver_uid": "{pop.uid[j]}", "sub_relation": "{relation}", "connection_version": "v1"}}'
            out.add(
                CI,
                ts + 700,
                rows.content_interaction(
                    rng.getrandbits(128), ts + 700, ip_ua, meta2, "connection", conn, "send_request", None, None, user
                ),
            )
        r = rng.random()
        answer = "accept" if r < 0.6 else ("decline" if r < 0.75 else ("cancel" if r < 0.8 else ""))
        if answer:
            self.replies[self.day_index + 1 + int(rng.expovariate(0.7))].append((j, i, conn, answer))
        self._cnt[_C_CONNECTIONS] += 1

    def _answer_connections(self, out: DayRows, rng: random.Random, d: int) -> None:
        pop = self.pop
        for receiver, sender, conn, answer in self.replies.pop(d, []):
            actor, other = (sender, receiver) if answer == "cancel" else (receiver, sender)
            ts = self.day_start + int(pop.session_hour(rng, actor) * HOUR_US)
            if ts >= self.end_us:
                continue
            ip_ua = NO_IP_UA
            user = pop.user_id_field[actor]
            itype = {"accept": "connection_accept", "decline": "connection_decline", "cancel": "connection_remove"}[
                answer
            ]
            key = "receiver_uid" if answer == "cancel" else "sender_uid"
            meta = f'{{"{key}": "{pop.uid[other]}", "connection_version": "v2"}}'
            out.add(
                SI,
                ts,
                rows.social_interaction(
                    rng.getrandbits(128), ts, ip_ua, meta, itype, "connection", conn, pop.first_user_id + other, user
                ),
            )
            if answer != "cancel" and rng.random() < 0.5:
                # v1 UpdateConnection: content row with the lower-cased status.
                status = "accepted" if answer == "accept" else "rejected"
                meta1 = (
                    f'{{"sender_uid": "{pop.uid[sender]}", "receiver_uid": "{pop.uid[receiver]}", '
                    '"connection_version": "v1"}'
                )
                out.add(
                    CI,
                    ts + 900,
                    rows.content_interaction(
                        rng.getrandbits(128), ts + 900, ip_ua, meta1, "connection", conn, status, None, None, user
                    ),
                )

    def _message(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        j = pop.pick_user(rng, i)
        a, b = (i, j) if i < j else (j, i)
        conversation = f"conv_{pop.first_user_id + a}_{pop.first_user_id + b}"
        ip_ua = NO_IP_UA
        user = pop.user_id_field[i]
        out.add(
            SI,
            ts,
            rows.social_interaction(
                rng.getrandbits(128),
                ts,
                ip_ua,
                '{"has_media": false}',
                "message_send",
                "direct_message",
                conversation,
                pop.first_user_id + j,
                user,
            ),
        )
        if rng.random() < 0.3:
            mid = _hex(rng)
            out.add(
                CI,
                ts + 400,
                rows.content_interaction(
                    rng.getrandbits(128),
                    ts + 400,
                    ip_ua,
                    f'{{"conversation_id": "{conversation}"}}',
                    "conversation_message",
                    mid,
                    "create",
                    None,
                    None,
                    user,
                ),
            )
        self._cnt[_C_MESSAGES] += 1

    def _message_read(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        j = pop.pick_user(rng, i)
        a, b = (i, j) if i < j else (j, i)
        conversation = f"conv_{pop.first_user_id + a}_{pop.first_user_id + b}"
        out.add(
            SI,
            ts,
            rows.social_interaction(
                rng.getrandbits(128),
                ts,
                NO_IP_UA,
                "{}",
                "message_read",
                "direct_message",
                conversation,
                pop.first_user_id + j,
                pop.user_id_field[i],
            ),
        )

    def _social_misc(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        j = pop.pick_user(rng, i)
        itype = ("mention", "tag", "recommendation_view", "recommendation_dismiss", "group_invite")[
            int(rng.random() * 5)
        ]
        if itype == "group_invite":
            g = pop.groups_of[pop.community[i]][0]
            ctx_type, ctx_id = "community", g.uid
        elif itype in ("mention", "tag"):
            ctx_type, ctx_id = "post", None
        else:
            ctx_type, ctx_id = "recommendation", None
        out.add(
            SI,
            ts,
            rows.social_interaction(
                rng.getrandbits(128),
                ts,
                NO_IP_UA,
                "{}",
                itype,
                ctx_type,
                ctx_id,
                pop.first_user_id + j,
                pop.user_id_field[i],
            ),
        )

    # --- vibes -------------------------------------------------------------------------------------

    def _vibe_send(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        """A vibe sent to a user (Django id or Users.uid form) or to a community (Community.uid)."""
        pop = self.pop
        vibe = pop.vibes[int(rng.random() * len(pop.vibes))]
        score = round(rng.uniform(1.0, 5.0), 1)
        impacts = tuple(round(w * score * rng.uniform(0.05, 0.12), 3) for w in vibe.weights)
        imp = (impacts[0], impacts[1], impacts[2], impacts[3])
        w = vibe.weights
        weights = f'"vibe_weights": {{"iq": {w[0]}, "aq": {w[1]}, "sq": {w[2]}, "hq": {w[3]}}}'
        ip_ua = NO_IP_UA
        user = pop.user_id_field[i]
        r = rng.random()
        if r < 0.15:
            groups = pop.groups_of[pop.target_community(rng, pop.community[i])]
            g = groups[int(rng.random() * len(groups))]
            meta = f'{{{weights}, "interaction_context": "vibe_send", "target_type": "community"}}'
            out.add(
                VA,
                ts,
                rows.vibe_activity(
                    rng.getrandbits(128),
                    ts,
                    ip_ua,
                    meta,
                    "vibe_send",
                    "community",
                    vibe.uid,
                    vibe.name,
                    vibe.category,
                    g.uid,
                    score,
                    imp,
                    True,
                    None,
                    user,
                ),
            )
            self._cnt[_C_VIBES] += 1
            return
        j = pop.pick_user(rng, i)
        target = pop.uid[j] if r < 0.5 else str(pop.first_user_id + j)
        meta = f'{{{weights}, "interaction_context": "vibe_send"}}'
        vtype = vibe.vibe_type if vibe.vibe_type != "community" else "individual"
        if r < 0.3:
            vtype = "profile_data"  # off-list: profile reactions, which name the target by Users.uid
        out.add(
            VA,
            ts,
            rows.vibe_activity(
                rng.getrandbits(128),
                ts,
                ip_ua,
                meta,
                "vibe_send",
                vtype,
                vibe.uid,
                vibe.name,
                vibe.category,
                target,
                score,
                imp,
                True,
                None,
                user,
            ),
        )
        t = ts + 1200
        meta_r = f'{{{weights}, "interaction_context": "vibe_receive", "sender_id": "{pop.first_user_id + i}"}}'
        out.add(
            VA,
            t,
            rows.vibe_activity(
                rng.getrandbits(128),
                t,
                NO_IP_UA,
                meta_r,
                "vibe_receive",
                vtype,
                vibe.uid,
                vibe.name,
                vibe.category,
                str(pop.first_user_id + i),
                score,
                imp,
                True,
                None,
                pop.user_id_field[j],
            ),
        )
        if rng.random() < 0.2:
            out.add(
                UA,
                ts + 2000,
                rows.user_activity(
                    rng.getrandbits(128),
                    ts + 2000,
                    ip_ua,
                    f'{{"vibe_id": "{vibe.uid}"}}',
                    "vibe_sending",
                    None,
                    True,
                    user,
                ),
            )
        self._cnt[_C_VIBES] += 1

    def _vibe_other(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        """Vibe activity without a target: views, searches, browsing, score updates, creation."""
        pop = self.pop
        vibe = pop.vibes[int(rng.random() * len(pop.vibes))]
        ip_ua = NO_IP_UA
        user = pop.user_id_field[i]
        r = rng.random()
        none4: tuple[None, None, None, None] = (None, None, None, None)
        if r < 0.12:
            changes = [round(rng.uniform(0.0, 0.3), 2) for _ in range(4)]
            score = round(rng.uniform(1.0, 5.0), 1)
            meta = (
                f'{{"iq_change": {changes[0]}, "aq_change": {changes[1]}, '
                f'"sq_change": {changes[2]}, "hq_change": {changes[3]}, '
                f'"vibe_name": "{vibe.name}", "vibe_score": {score}, "vibers_count": {1 + int(rng.expovariate(0.3))}, '
                f'"new_cumulative_score": {round(rng.uniform(1.0, 5.0), 2)}}}'
            )
            out.add(
                VA,
                ts,
                rows.vibe_activity(
                    rng.getrandbits(128),
                    ts,
                    ip_ua,
                    meta,
                    "vibe_score_update",
                    vibe.vibe_type,
                    vibe.uid,
                    vibe.name,
                    vibe.category,
                    None,
                    score,
                    (changes[0], changes[1], changes[2], changes[3]),
                    True,
                    None,
                    user,
                ),
            )
            if rng.random() < 0.3:
                out.add(
                    UA,
                    ts + 1000,
                    rows.user_activity(
                        rng.getrandbits(128), ts + 1000, ip_ua, "{}", "vibe_score_update", None, True, user
                    ),
                )
            return
        if r < 0.17:
            out.add(
                VA,
                ts,
                rows.vibe_activity(
                    rng.getrandbits(128),
                    ts,
                    ip_ua,
                    '{"source": "vibe_manager"}',
                    "vibe_create",
                    "main",
                    vibe.uid,
                    vibe.name,
                    vibe.category,
                    None,
                    None,
                    none4,
                    True,
                    None,
                    user,
                ),
            )
            out.add(
                UA,
                ts + 1000,
                rows.user_activity(rng.getrandbits(128), ts + 1000, ip_ua, "{}", "vibe_creation", None, True, user),
            )
            return
        activity = ("vibe_view", "vibe_view", "vibe_search", "vibe_category_browse", "vibe_popularity_view")[
            int(rng.random() * 5)
        ]
        meta = f'{{"duration_seconds": {int(rng.expovariate(1 / 20))}}}' if activity == "vibe_view" else "{}"
        out.add(
            VA,
            ts,
            rows.vibe_activity(
                rng.getrandbits(128),
                ts,
                ip_ua,
                meta,
                activity,
                vibe.vibe_type,
                vibe.uid,
                vibe.name,
                vibe.category,
                None,
                None,
                none4,
                True,
                None,
                user,
            ),
        )

    # --- media and misc ----------------------------------------------------------------------------

    def _media(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        """Comment-media views (media_id = the post uid, metadata.post_uid), file views, video play."""
        content = self.pick_content(rng, i, ts)
        if content is None or content[0] not in ("post", "community_post"):
            self._user_misc(out, rng, i, ts)
            return
        pop = self.pop
        ip_ua = NO_IP_UA
        user = pop.user_id_field[i]
        post_uid = content[1]
        r = rng.random()
        if r < 0.45:
            found = int(rng.expovariate(0.3))
            meta = (
                f'{{"post_uid": "{post_uid}", "include_replies": {_b(rng.random() < 0.5)}, '
                f'"query_type": "postcomments_by_post_uid", "limit": 10, "offset": 0, '
                f'"comments_found": {found}, "empty_result": {_b(found == 0)}}}'
            )
            out.add(
                MI,
                ts,
                rows.media_interaction(
                    rng.getrandbits(128), ts, ip_ua, meta, "comment_media", post_uid, None, "view", None, None, user
                ),
            )
        elif r < 0.7:
            file_id = _hex(rng)
            meta = (
                f'{{"comment_uid": "{_hex(rng)}", "post_uid": "{post_uid}", "comment_has_media": true, '
                f'"media_count": {1 + int(rng.random() * 3)}, "query_type": "comment_media_view"}}'
            )
            out.add(
                MI,
                ts,
                rows.media_interaction(
                    rng.getrandbits(128),
                    ts,
                    ip_ua,
                    meta,
                    "image",
                    file_id,
                    f"https://cdn.ooumph.com/media/{file_id}.jpg",
                    "view",
                    None,
                    None,
                    user,
                ),
            )
        elif r < 0.9:
            file_id = _hex(rng)
            length = 15 + int(rng.expovariate(1 / 90))
            itype = ("play", "play", "pause", "seek", "fullscreen", "volume_change", "quality_change")[
                int(rng.random() * 7)
            ]
            pos = int(rng.random() * length)
            out.add(
                MI,
                ts,
                rows.media_interaction(
                    rng.getrandbits(128),
                    ts,
                    ip_ua,
                    f'{{"post_uid": "{post_uid}"}}',
                    "video",
                    file_id,
                    f"https://cdn.ooumph.com/media/{file_id}.mp4",
                    itype,
                    length,
                    pos,
                    user,
                ),
            )
        else:
            file_id = _hex(rng)
            mtype = ("image", "gif", "document", "audio", "thumbnail")[int(rng.random() * 5)]
            itype = ("click", "zoom", "download", "share", "view")[int(rng.random() * 5)]
            out.add(
                MI,
                ts,
                rows.media_interaction(
                    rng.getrandbits(128),
                    ts,
                    ip_ua,
                    f'{{"post_uid": "{post_uid}"}}',
                    mtype,
                    file_id,
                    f"https://cdn.ooumph.com/media/{file_id}",
                    itype,
                    None,
                    None,
                    user,
                ),
            )
        self._cnt[_C_MEDIA] += 1

    def _user_misc(self, out: DayRows, rng: random.Random, i: int, ts: int) -> None:
        pop = self.pop
        activity = _USER_MISC[_pick(_USER_MISC_CUM, rng)][0]
        if activity == "page_view":
            meta = f'{{"path": "{vocab.PAGE_URLS[int(rng.random() * len(vocab.PAGE_URLS))]}"}}'
        elif activity == "search":
            meta = f'{{"query_length": {1 + int(rng.expovariate(0.15))}}}'
        else:
            meta = "{}"
        success = activity != "error"
        out.add(
            UA,
            ts,
            rows.user_activity(
                rng.getrandbits(128), ts, pop.ip_ua[i], meta, activity, None, success, pop.user_id_field[i]
            ),
        )


# Aggregation counters (activity_aggregation.activity_counts keys).
_COUNT_NAMES: Final = (
    "sessions", "logins", "posts_created", "content_views", "feed_impressions", "likes_given",
    "comments_made", "shares", "saves", "profile_visits", "connection_requests", "messages_sent",
    "vibes_sent", "media_interactions",
)  # fmt: skip
(
    _C_SESSIONS, _C_LOGINS, _C_CREATED, _C_VIEWS, _C_IMPRESSIONS, _C_LIKES, _C_COMMENTS, _C_SHARES,
    _C_SAVES, _C_VISITS, _C_CONNECTIONS, _C_MESSAGES, _C_VIBES, _C_MEDIA,
) = range(len(_COUNT_NAMES))  # fmt: skip
_SCORE_WEIGHTS: Final = (0.0, 0.0, 1.0, 0.1, 0.0, 0.3, 0.5, 0.7, 0.6, 0.1, 0.2, 0.2, 0.3, 0.1)


def _counts_json(counts: list[int]) -> str:
    return "{" + ", ".join(f'"{name}": {v}' for name, v in zip(_COUNT_NAMES, counts, strict=True) if v) + "}"


def _score(counts: list[int]) -> float:
    total = sum(counts[2:])
    if not total:
        return 0.0
    return round(sum(w * v for w, v in zip(_SCORE_WEIGHTS, counts, strict=True)) / total, 4)


def _iso(pg_us: int) -> str:
    return pg_us_to_datetime(pg_us).isoformat()


def _b(flag: bool) -> str:
    return "true" if flag else "false"
