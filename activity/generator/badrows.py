"""Deliberately bad rows: accepted by Postgres (the platform's schema allows them), wrong for the graph.

The sync must quarantine these (with a reason) or handle them as docs/mapping.md says, never crash on
them and never turn them into plausible edges. Each one is recorded in `activity_graph_planted_bad_row`
(source_table, source_id, kind), so tests can check the sync's handling row by row. About 0.5% of all
rows (`bad_row_share`). Kinds, and what docs/mapping.md makes of them:

- unknown_interaction_type / unknown_activity_type: a type no list (nor the platform) has ->
  `UnknownType` note with the default weight; the empty string -> quarantine `bad_type`.
- missing_target: `profile_visit` with `target_user_id` NULL (the FK allows NULL) -> `bad_user_id`.
- self_target: a visit / profile activity on one's own profile -> `Skipped(self_visit)`.
- malformed_content_id: 'undefined', '', 'None', truncated, over-long or non-hex ids, 'post:<hex>'
  for a platform content type -> `bad_content_uid`.
- orphan_content: a well-formed 32-hex post id that no `create` row introduces (a node without an
  author; quarantined only when the sync matches existing nodes).
- nan_number: NaN or +-Infinity in double precision columns (scroll depth, vibe score, impacts) ->
  `bad_number` / `bad_vibe_score`.
- negative_number: a negative scroll depth -> `bad_percentage` (integer durations carry
  `CHECK (>= 0)`, so Postgres itself refuses negatives there).
- absurd_number: a ~63-year duration / position (integer, passes the CHECK) or a scroll depth of
  250%, 1e12 or Infinity -> `absurd_duration` / `bad_percentage`.
- odd_metadata: metadata that is a JSON array, string, number or null instead of an object ->
  `bad_metadata`.
- missing_post_uid: a `comment_media` view whose metadata lacks `post_uid` (it then counts on the
  generic comment_media node, not on the post).
- unresolvable_target: a vibe target that is no user and no community: an unknown 32-hex uid
  (`vibe_target_unresolved`), 'undefined' / '' / 'None' (`bad_vibe_target`), or the digits of a user id
  that does not exist.
- bad_timestamp: a client clock in 2099 (`future_timestamp`) or in 1900 (`bad_timestamp`).
- end_before_start: a session whose end_time precedes its start_time -> `bad_session_times`.
"""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Final

from . import rows
from .ids import as_uuid4
from .pgbinary import unix_to_pg_us
from .tables import CI, MI, PA, SA, SI, UA, VA

if TYPE_CHECKING:
    from .batch import DayRows
    from .simulate import Simulator

_FUTURE_US: Final = unix_to_pg_us(datetime(2099, 1, 1, tzinfo=timezone.utc).timestamp())
_PAST_US: Final = unix_to_pg_us(datetime(1900, 1, 1, tzinfo=timezone.utc).timestamp())
_ABSURD_SECONDS: Final = 2_000_000_000

# (table, kind, weight): the relative frequency of each bad kind.
BAD_KINDS: Final = (
    (CI, "unknown_interaction_type", 8.0),
    (CI, "malformed_content_id", 8.0),
    (CI, "orphan_content", 3.0),
    (CI, "nan_number", 4.0),
    (CI, "negative_number", 3.0),
    (CI, "absurd_number", 3.0),
    (CI, "odd_metadata", 6.0),
    (CI, "bad_timestamp", 2.0),
    (SI, "missing_target", 10.0),
    (SI, "self_target", 4.0),
    (SI, "unknown_interaction_type", 5.0),
    (SI, "odd_metadata", 3.0),
    (SI, "bad_timestamp", 2.0),
    (PA, "absurd_number", 3.0),
    (PA, "self_target", 2.0),
    (MI, "missing_post_uid", 5.0),
    (MI, "unknown_interaction_type", 2.0),
    (MI, "absurd_number", 2.0),
    (MI, "odd_metadata", 1.0),
    (VA, "unresolvable_target", 6.0),
    (VA, "nan_number", 4.0),
    (UA, "unknown_activity_type", 3.0),
    (SA, "end_before_start", 2.0),
    (SA, "absurd_number", 1.0),
)
_CUM: Final = tuple(itertools.accumulate(w for _, _, w in BAD_KINDS))

_ODD_METADATA: Final = ("[1, 2, 3]", '"feed_view"', "null", "42", '[{"source": "feed_view"}]')


class BadRowMaker:
    """Writes one bad row at a time into a day, for a random user at a random time of that day."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    def make(self, out: DayRows, rng: random.Random) -> None:
        sim = self.sim
        pop = sim.pop
        table, kind, _ = BAD_KINDS[bisect.bisect(_CUM, rng.random() * _CUM[-1])]
        i = int(rng.random() * pop.n)
        ts = sim.day_start + int(pop.session_hour(rng, i) * 3_600_000_000)
        if ts >= sim.end_us:
            ts = sim.end_us - 1_000_000 - int(rng.random() * 3_600_000_000)
        uid = rng.getrandbits(128)
        ip_ua = pop.ip_ua[i]
        user = pop.user_id_field[i]
        content = sim.pick_content(rng, i, ts)
        cid = content[1] if content is not None else f"{as_uuid4(rng.getrandbits(128)):032x}"
        ctype = content[0] if content is not None else "post"
        row: bytes
        if table == CI:
            itype, meta, dur, scroll, row_ts = "view", "{}", None, None, ts
            if kind == "unknown_interaction_type":
                itype = ("superlike", "bookmark", "double_tap", "")[int(rng.random() * 4)]
            elif kind == "malformed_content_id":
                ctype = "post"
                cid = ("undefined", "", "None", cid[:15], cid + "ff" + cid, f"post:{cid}", cid[:31] + "z")[
                    int(rng.random() * 7)
                ]
            elif kind == "orphan_content":
                ctype, cid, itype = "post", f"{as_uuid4(rng.getrandbits(128)):032x}", "like"
            elif kind == "nan_number":
                scroll = float("nan")
            elif kind == "negative_number":
                scroll = -round(rng.uniform(1.0, 100.0), 1)
            elif kind == "absurd_number":
                if rng.random() < 0.5:
                    dur = _ABSURD_SECONDS
                else:
                    scroll = (250.0, float("inf"), 1e12)[int(rng.random() * 3)]
            elif kind == "odd_metadata":
                meta = _ODD_METADATA[int(rng.random() * len(_ODD_METADATA))]
            elif kind == "bad_timestamp":
                row_ts = _FUTURE_US if rng.random() < 0.5 else _PAST_US
            row = rows.content_interaction(uid, row_ts, ip_ua, meta, ctype, cid, itype, dur, scroll, user)
        elif table == SI:
            j = pop.pick_user(rng, i)
            target: int | None = pop.first_user_id + j
            itype, meta, row_ts = "profile_visit", "{}", ts
            if kind == "missing_target":
                target = None
            elif kind == "self_target":
                target = pop.first_user_id + i
            elif kind == "unknown_interaction_type":
                itype = ("poke", "wave", "follow_request")[int(rng.random() * 3)]
            elif kind == "odd_metadata":
                meta = _ODD_METADATA[int(rng.random() * len(_ODD_METADATA))]
            elif kind == "bad_timestamp":
                row_ts = _FUTURE_US if rng.random() < 0.5 else _PAST_US
            ctx = None if target is None else str(target)
            row = rows.social_interaction(uid, row_ts, ip_ua, meta, itype, "profile", ctx, target, user)
        elif table == PA:
            owner = pop.first_user_id + (i if kind == "self_target" else pop.pick_user(rng, i))
            dur = _ABSURD_SECONDS if kind == "absurd_number" else 30
            row = rows.profile_activity(uid, ts, ip_ua, "{}", "profile_view", dur, owner, user)
        elif table == MI:
            mtype, itype, meta = (
                "comment_media",
                "view",
                f'{{"post_uid": "{cid}", "query_type": "postcomments_by_post_uid"}}',
            )
            dur = pos = None
            if kind == "missing_post_uid":
                meta = '{"query_type": "postcomments_by_post_uid", "limit": 10, "offset": 0}'
            elif kind == "unknown_interaction_type":
                itype = ("hover", "long_press")[int(rng.random() * 2)]
            elif kind == "absurd_number":
                mtype, itype, dur, pos = "video", "play", _ABSURD_SECONDS, _ABSURD_SECONDS
            elif kind == "odd_metadata":
                meta = _ODD_METADATA[int(rng.random() * len(_ODD_METADATA))]
            row = rows.media_interaction(uid, ts, ip_ua, meta, mtype, cid, None, itype, dur, pos, user)
        elif table == VA:
            vibe = pop.vibes[int(rng.random() * len(pop.vibes))]
            score: float | None = 3.0
            impacts: tuple[float | None, float | None, float | None, float | None] = (0.1, 0.1, 0.1, 0.1)
            target_text: str = str(pop.first_user_id + pop.pick_user(rng, i))
            if kind == "unresolvable_target":
                target_text = (
                    f"{as_uuid4(rng.getrandbits(128)):032x}",
                    str(pop.first_user_id + pop.n + 1_000_000 + int(rng.random() * 1000)),
                    "undefined",
                    "",
                    "None",
                )[int(rng.random() * 5)]
            else:
                score = (float("nan"), float("inf"), -float("inf"))[int(rng.random() * 3)]
                impacts = (float("nan"), 0.1, -float("inf"), None)
            row = rows.vibe_activity(
                uid, ts, ip_ua, '{"interaction_context": "vibe_send"}', "vibe_send", "individual", vibe.uid,
                vibe.name, vibe.category, target_text, score, impacts, True, None, user,
            )  # fmt: skip
        elif table == UA:
            activity = ("clicked_button", "sign_in_attempt", "unknown")[int(rng.random() * 3)]
            row = rows.user_activity(uid, ts, ip_ua, "{}", activity, None, True, user)
        else:  # SA
            start = ts
            if kind == "end_before_start":
                end, dur = start - 600_000_000, 0
            else:
                end, dur = start + 600_000_000, _ABSURD_SECONDS
            row = rows.session_activity(
                uid, ts, ip_ua, "{}", f"sess_{rng.getrandbits(96):024x}", "web", start, end, dur, 1, 1, "{}", "{}",
                None, None, user,
            )  # fmt: skip
        out.add_bad(table, ts, row, kind)
