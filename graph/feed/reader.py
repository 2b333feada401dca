"""The feed's Cypher: rendering the named files for the settings' labels, their parameters, and reading the
records back into raw features (`graph.feed.model`). No network here: `graph.feed.runner` runs the text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import cached_property, lru_cache, partial
from typing import Any

from graph.cypher import render
from graph.feed.model import CandidateFeatures, TieFeatures, ViewerFeatures
from graph.schema import ident
from graph.settings import Settings

# GDS jobs whose current result set (`GraphResultSet.run_id`) a reader may see SIMILAR_TO edges of: the
# readers in algorithms/readers.py match `s.run_id = pointer.run_id`; run ids are unique per run, so one list
# serves user-user (user_similarity, social_similarity, embeddings) and content-content edges.
RESULT_SETS: tuple[str, ...] = ("user_similarity", "social_similarity", "embeddings", "content_similarity")

# A candidate of this type may be a node of the other type's label too: the platform logs community posts
# under content_type 'post' (docs/platform.md, section 8).
TYPE_FALLBACKS: Mapping[str, tuple[str, ...]] = {"post": ("community_post",)}

PLAN_PREFIX = "CYPHER replan=skip\n"


@dataclass(frozen=True)
class Labels:
    """The identifiers the feed queries are rendered with (from `graph.settings.Settings`)."""

    user_label: str
    user_key: str
    content_key: str
    generic_label: str
    content_labels: tuple[tuple[str, str], ...]  # (content_type, label), settings order

    @classmethod
    def of(cls, settings: Settings) -> Labels:
        return cls(
            settings.user_label,
            settings.user_key,
            settings.content_key,
            settings.generic_content_label,
            tuple(settings.content_labels.items()),
        )

    @property
    def distinct_labels(self) -> tuple[str, ...]:
        out: list[str] = []
        for _, label in self.content_labels:
            if label not in out:
                out.append(label)
        return tuple(out)

    def label_of(self, content_type: str) -> str | None:
        return self._label_by_type.get(content_type)

    @cached_property
    def _label_by_type(self) -> dict[str, str]:
        return dict(self.content_labels)

    def type_of_label(self, label: str) -> str | None:
        for content_type, lab in self.content_labels:
            if lab == label:
                return content_type
        return None


def content_ref(var: str, labels: Labels) -> str:
    """The Cypher expression naming a content node in viewer snapshots: its first platform label (settings order)
    and key, else the generic node's `content_type:content_id` (a uid alone is not unique: the platform's Post and
    CommunityPost may share one). The snapshot job and the feed query both use this one expression."""
    key = ident(labels.content_key)
    branches = " ".join(f"WHEN {var}:{ident(label)} THEN '{label}:' + {var}.{key}"
                        for label in labels.distinct_labels)
    generic = f"{var}.content_type + ':' + toString({var}.content_id)"
    return f"CASE {branches} ELSE {generic} END" if branches else generic


def _fragments(labels: Labels) -> dict[str, str]:
    user = {"user_label": ident(labels.user_label), "user_key": ident(labels.user_key)}
    return {
        "viewer_ties": render("strength/viewer_ties", user_label=user["user_label"]),
        "pair_ties": render("strength/pair_ties"),
        **user,
    }


@lru_cache(maxsize=8)
def strength_query(labels: Labels) -> str:
    """`cypher/strength/read_strengths.cypher` rendered."""
    return render("strength/read_strengths", **_fragments(labels))


@lru_cache(maxsize=8)
def active_viewers_query(labels: Labels) -> str:
    """`cypher/feed/active_viewers.cypher` rendered."""
    return render("feed/active_viewers", user_label=ident(labels.user_label), user_key=ident(labels.user_key))


@lru_cache(maxsize=8)
def refresh_viewers_query(labels: Labels) -> str:
    """`cypher/feed/refresh_viewers.cypher` rendered."""
    return render("feed/refresh_viewers", content_ref_d=content_ref("d", labels),
                  content_ref_x=content_ref("x", labels), **_fragments(labels))


# Candidates travel packed in two strings, `$spacked` (not cached: both branches look them up) and `$cpacked`
# (cached: only the live branch does, when the viewer's snapshot turned out not to be fresh). Records are separated
# by RS and fields by US (ASCII 30, 31); ids holding either go in the `$s0..`/`$c0..` lists instead.
# Why strings, padded: Neo4j keys its plan cache by each list and string parameter's size bucket (0, 1, then the
# next power of ten), and planning this query takes about two seconds, a request's deadline many times over. Lists
# per label whose sizes vary call by call (a page of 20 posts, 500 candidates, all cached or none) would make a
# new plan for every new combination of buckets; two strings padded past PACKED_MIN_LENGTH chars keep one bucket
# for up to ~2,000 records, and the lists stay empty (bucket 0). 500 small lists also cost a warm call about as
# much as the rest of its query. `warm_up()` plans the common cases at process start.
RECORD_SEPARATOR = "\x1e"
FIELD_SEPARATOR = "\x1f"
PACKED_MIN_LENGTH = 10_001  # bucket 100,000 from here up to 100,000 chars


def pack_records(records: Sequence[str]) -> str:
    """The records joined, with a filler record (no fields) so the string is at least PACKED_MIN_LENGTH long."""
    text = RECORD_SEPARATOR.join(records)
    short = PACKED_MIN_LENGTH - len(text) - 1
    return f"{text}{RECORD_SEPARATOR}{'~' * short}" if short > 0 else text


def candidate_lookup(labels: Labels, prefixes: Sequence[str]) -> str:
    """The UNION of, for each parameter prefix (`s`, `c`: see `candidate_params`), one branch per content label
    and one generic branch over the records of `$<prefix>packed`, and the same over the lists `$<prefix><n>` and
    `$<prefix>generic`."""
    branches = []
    for prefix in prefixes:
        packed = f"UNWIND [r IN split(${prefix}packed, $rs) | split(r, $fs)] AS f WITH f WHERE size(f) = 4 AND f[1] = "
        # a record: index, list, key (or type), priority (or id), all strings; a list entry: [index, key, priority]
        branches += _lookup_branches(labels, partial(_packed_source, packed), ("f[2]", "f[3]"),
                                     "toInteger(f[0])", "toInteger(f[3])")
        branches += _lookup_branches(labels, partial(_list_source, prefix), ("f[1]", "f[2]"), "f[0]", "f[2]")
    return "\n  UNION ALL\n".join(branches)


def _packed_source(records: str, name: str) -> str:
    return f"{records}'{name}'"


def _list_source(prefix: str, name: str) -> str:
    return f"UNWIND ${prefix}{name} AS f"


def _lookup_branches(labels: Labels, source: Callable[[str], str], fields: tuple[str, str], index: str,
                     priority: str) -> list[str]:
    """One branch per content label (`source(n)` yields the entries of list n) and a generic one (`source('generic')`,
    whose entries hold a type and an id in `fields`); the key is `fields[0]`."""
    key = ident(labels.content_key)
    out = [
        f"  {source(str(n))} MATCH (c:{ident(label)} {{{key}: {fields[0]}}}) RETURN {index} AS i, {priority} AS p, c"
        for n, label in enumerate(labels.distinct_labels)
    ]
    out.append(f"  {source('generic')} MATCH (c:{ident(labels.generic_label)} "
               f"{{content_type: {fields[0]}, content_id: {fields[1]}}}) RETURN {index} AS i, 99 AS p, c")
    return out


@lru_cache(maxsize=8)
def score_query(labels: Labels) -> str:
    """`cypher/feed/score_candidates.cypher` rendered: its two branches (feed/score_snapshot, feed/score_live).
    The snapshot branch looks up only the candidates the process has not cached (`$s..`); the live branch all of
    them (`$s..` and `$c..`), as it computes everything."""
    fragments = _fragments(labels)
    live = render("feed/score_live", candidate_lookup=candidate_lookup(labels, ("s", "c")), **fragments)
    snapshot = render("feed/score_snapshot", candidate_lookup=candidate_lookup(labels, ("s",)),
                      content_ref_c=content_ref("c", labels), user_label=fragments["user_label"],
                      user_key=fragments["user_key"])
    # replan=skip: planning this query takes seconds; once planned (index seeks from bound nodes throughout), a
    # statistics drift must not make a request wait for a replan. Schema changes still clear the plan cache.
    text = render("feed/score_candidates", snapshot_branch=snapshot, live_branch=live, **fragments)
    return PLAN_PREFIX + text


def _filter_parts(labels: Labels, candidate_types: tuple[str, ...]) -> dict[str, str]:
    tests = [f"c:{ident(label)}" for t in candidate_types if (label := labels.label_of(t)) is not None]
    if any(labels.label_of(t) is None for t in candidate_types):
        tests.append(f"(c:{ident(labels.generic_label)} AND c.content_type IN $generic_types)")
    return {
        "user_label": ident(labels.user_label),
        "user_key": ident(labels.user_key),
        "content_key": ident(labels.content_key),
        "candidate_filter": " OR ".join(tests) if tests else "false",
    }


def generic_types(labels: Labels, candidate_types: tuple[str, ...]) -> list[str]:
    """The feed's content types that have no platform label (`$generic_types`)."""
    return [t for t in candidate_types if labels.label_of(t) is None]


@lru_cache(maxsize=8)
def candidates_query(labels: Labels, candidate_types: tuple[str, ...]) -> str:
    """`cypher/feed/candidates.cypher` rendered: the label test for the content types a feed may show."""
    return render("feed/candidates", **_filter_parts(labels, candidate_types))


@lru_cache(maxsize=8)
def refresh_query(labels: Labels, candidate_types: tuple[str, ...]) -> str:
    """`cypher/feed/refresh_aggregates.cypher` rendered for the feed's content types."""
    parts = _filter_parts(labels, candidate_types)
    return render("feed/refresh_aggregates", candidate_filter=parts["candidate_filter"],
                  user_label=parts["user_label"], user_key=parts["user_key"])


@lru_cache(maxsize=16)
def pool_query(name: str, labels: Labels, candidate_types: tuple[str, ...]) -> str:
    """`cypher/feed/sample_content` or `cypher/feed/sample_viewers` rendered (benchmark, CLI)."""
    parts = _filter_parts(labels, candidate_types)
    if name == "feed/sample_viewers":
        parts = {"user_label": parts["user_label"], "user_key": parts["user_key"]}
    elif name == "feed/sample_content":
        parts = {"content_key": parts["content_key"], "candidate_filter": parts["candidate_filter"]}
    return render(name, **parts)


def node_ref(labels_of_node: Sequence[str], content_type: str | None, content_id: Any,
             names: Labels) -> tuple[str, str] | None:
    """(content_type, content_id) of a node read back from the graph: the platform label's type, else the
    generic node's own `content_type`."""
    if content_id is None:
        return None
    for label in labels_of_node:
        t = names.type_of_label(label)
        if t is not None:
            return t, str(content_id)
    if content_type is not None:
        return str(content_type), str(content_id)
    return None


def time_params(now: datetime, half_life_seconds: float) -> dict[str, Any]:
    """`$now_ms` and `$hl_ms`, the decay's reference time and half-life as the Cypher files use them (and
    `$no_run`, the run id a SIMILAR_TO without one is taken to have)."""
    return {"now_ms": int(now.timestamp() * 1000), "hl_ms": float(half_life_seconds) * 1000.0, "no_run": ""}


def normalise_id(content_type: str, content_id: str, labels: Labels) -> str:
    """Platform uids are stored lower-case (the sync lower-cases them); other ids are taken as they are."""
    return content_id.strip().lower() if labels.label_of(content_type) is not None else content_id


def candidate_key(content_type: str, content_id: str) -> tuple[str, str]:
    """A candidate as the feed query looks it up (and the content cache keys it): the type lower-cased."""
    return str(content_type).strip().lower(), str(content_id)


def candidate_params(
    candidates: Sequence[tuple[str, str]], labels: Labels, cached: Sequence[bool] | None = None
) -> dict[str, Any]:
    """`$spacked`: the candidates not `cached`, `$cpacked`: the others, as records (index, label's list number or
    `generic`, key or type, priority or id; see `pack_records`); an id holding a separator goes in `$s0..` /
    `$c0..` (one list per content label: [index, key, priority]) or `$sgeneric` / `$cgeneric` ([index, type,
    id]). `$rs` and `$fs` are the separators."""
    n_labels = len(labels.distinct_labels)
    params: dict[str, Any] = {}
    for prefix in ("s", "c"):
        params.update({f"{prefix}{n}": [] for n in range(n_labels)})
        params[f"{prefix}generic"] = []
    packed: dict[str, list[str]] = {"s": [], "c": []}
    memo = _LOOKUP_MEMO.get(labels)
    if memo is None or len(memo) > _LOOKUP_MEMO_MAX:
        memo = _LOOKUP_MEMO[labels] = {}
    for i, (content_type, content_id) in enumerate(candidates):
        entries = memo.get((content_type, content_id))
        if entries is None:
            entries = memo[(content_type, content_id)] = _lookups(labels, str(content_type), str(content_id))
        prefix = "c" if cached is not None and cached[i] else "s"
        if entries.packable:
            packed[prefix].append(entries.packed(i))
            continue
        for suffix, key, third in entries.lists:
            params[prefix + suffix].append([i, key, third])
    params.update(spacked=pack_records(packed["s"]), cpacked=pack_records(packed["c"]), rs=RECORD_SEPARATOR,
                  fs=FIELD_SEPARATOR)
    return params


@dataclass(frozen=True)
class _Lookup:
    """Where one candidate goes in `candidate_params`."""

    lists: tuple[tuple[str, str, Any], ...]  # (list suffix, key or type, priority or id)
    parts: tuple[str, ...]  # its packed records without the index
    packable: bool

    def packed(self, i: int) -> str:
        index = str(i)
        parts = self.parts
        if len(parts) == 1:
            return index + parts[0]
        if len(parts) == 2:
            return index + parts[0] + RECORD_SEPARATOR + index + parts[1]
        return RECORD_SEPARATOR.join(index + part for part in parts)


# candidate -> `_Lookup`, per `Labels` (one hash of the labels per call instead of one per candidate)
_LOOKUP_MEMO: dict[Labels, dict[tuple[str, str], _Lookup]] = {}
_LOOKUP_MEMO_MAX = 65536


def _lookups(labels: Labels, content_type: str, content_id: str) -> _Lookup:
    """(list suffix, key, priority) per label the candidate may have, else ("generic", type, id); and the same as
    packed records (memoised by `candidate_params`: a feed's candidates recur)."""
    label_index = {label: n for n, label in enumerate(labels.distinct_labels)}
    ctype, cid = candidate_key(content_type, content_id)
    out: list[tuple[str, str, Any]] = []
    for priority, t in enumerate((ctype, *TYPE_FALLBACKS.get(ctype, ()))):
        label = labels.label_of(t)
        if label is not None:
            out.append((str(label_index[label]), normalise_id(t, cid, labels), priority))
    lists = tuple(out) if out else (("generic", ctype, cid),)
    fs = FIELD_SEPARATOR
    packable = not any(sep in str(v) for entry in lists for v in entry for sep in (fs, RECORD_SEPARATOR))
    # a record: "i US list US key US priority" (generic: "i US generic US type US id")
    parts = tuple(f"{fs}{a}{fs}{b}{fs}{c}" for a, b, c in lists) if packable else ()
    return _Lookup(lists, parts, packable)


# -- reading records -------------------------------------------------------------------------------------------


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return 0.0
    return out if math.isfinite(out) else 0.0


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def to_datetime(value: Any) -> datetime | None:
    """A stored creation time as an aware datetime: the platform's epoch-seconds float (neomodel
    DateTimeProperty), the sync's Neo4j datetime, or an ISO string; None when unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return None
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        try:
            native = to_native()
        except (ValueError, OverflowError):
            return None
        if isinstance(native, datetime):
            return native if native.tzinfo is not None else native.replace(tzinfo=timezone.utc)
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str):
        # toString() of a stored value: the platform's epoch seconds ("1.7E9") or an ISO datetime, possibly with
        # a named zone after its offset ("...+01:00[Europe/Paris]": the offset says it all)
        if "T" not in value:
            try:
                return to_datetime(float(value))
            except ValueError:
                return None
        try:
            parsed = datetime.fromisoformat(value.split("[", 1)[0].replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
    return None


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(v) for v in value if v is not None)


def read_tie(tie: Sequence[Any] | None, other_known: bool = True) -> TieFeatures:
    """The `tie` list of strength/pair_ties.cypher."""
    if not tie or len(tie) < 14:
        return TieFeatures(other_known=other_known)
    influence = tie[12]
    return TieFeatures(
        other_known=other_known,
        visit_out=_float(tie[0]),
        visit_in=_float(tie[1]),
        vibe_out=_float(tie[2]),
        vibe_in=_float(tie[3]),
        engaged_out=_float(tie[4]),
        engaged_in=_float(tie[5]),
        connected_states=_strings(tie[6]),
        platform_statuses=_strings(tie[7]),
        similar=_float(tie[8]),
        mutual=_int(tie[9]),
        same_community=bool(tie[10]),
        shared_groups=_int(tie[11]),
        influence=None if influence is None else _float(influence),
        authored=_int(tie[13]),
    )


@dataclass(frozen=True)
class ViewerSnapshot:
    """A viewer snapshot (cypher/feed/refresh_viewers.cypher) as the feed query returned it, its decayed parts
    brought from `at_ms` to the request's time by `decay` (exact: every weight decays at the same rate)."""

    at_ms: int
    decay: float
    kind_weights: dict[str, float]
    connections: int
    tie_out: float
    authored: int
    similar_users: int
    direct: dict[str, tuple[list[float], str]]  # user key -> (visit out/in, vibe out/in, similar; states)
    engaged_out: dict[str, float]
    engaged_in: dict[str, float]
    mutual: dict[str, int]
    platform: dict[str, str]  # user key -> 'status,status,'
    sim: dict[str, float]  # content ref -> similar users' engagement (as stored)
    near: dict[str, float]  # content ref -> best similarity to a recent engagement
    tied: frozenset[str] = frozenset()  # users with any part above (the others' ties are the live parts only)

    def at(self, now_ms: int | None, hl_ms: float | None) -> ViewerSnapshot:
        """This snapshot (read undecayed: `read_snapshot(raw, None, None)`) decayed to `now_ms`: a process holds a
        snapshot once and brings it to each request's time."""
        decay = snapshot_decay(self.at_ms, now_ms, hl_ms)
        if decay == self.decay:
            return self
        scale = decay / self.decay if self.decay > 0 else 0.0
        return replace(self, decay=decay, kind_weights={k: w * scale for k, w in self.kind_weights.items()},
                       tie_out=self.tie_out * scale)

    def tie_to(self, author_id: str, same_community: bool, shared_groups: int, influence: float | None,
               authored: int) -> TieFeatures:
        """The tie to `author_id`: the snapshot's parts and the given live ones, in one object."""
        d = self.decay
        direct = self.direct.get(author_id)
        platform = self.platform.get(author_id)
        engaged_out = self.engaged_out.get(author_id)
        engaged_in = self.engaged_in.get(author_id)
        tie = TieFeatures(True, mutual=self.mutual.get(author_id, 0), same_community=same_community,
                          shared_groups=shared_groups, influence=influence, authored=authored)
        if direct is not None:
            v, states = direct
            tie.visit_out, tie.visit_in, tie.vibe_out, tie.vibe_in = v[0] * d, v[1] * d, v[2] * d, v[3] * d
            tie.similar = v[4]
            tie.connected_states = tuple(x for x in states.split(",") if x)
        if engaged_out is not None:
            tie.engaged_out = engaged_out * d
        if engaged_in is not None:
            tie.engaged_in = engaged_in * d
        if platform:
            tie.platform_statuses = tuple(x for x in platform.split(",") if x)
        return tie



def snapshot_decay(at_ms: int, now_ms: int | None, hl_ms: float | None) -> float:
    """2^((at - now) / half-life) for a value as of `at_ms` read at `now_ms` (1 if not older; no time: 1)."""
    if now_ms is not None and hl_ms and at_ms < now_ms:
        return float(2.0 ** ((at_ms - now_ms) / hl_ms))
    return 1.0


def _pairs(keys: Any, values: Any) -> dict[str, Any]:
    """Parallel arrays as the snapshot job stored them (strings, then numbers or strings: Neo4j arrays are
    homogeneous)."""
    if not isinstance(keys, (list, tuple)) or not isinstance(values, (list, tuple)):
        return {}
    return dict(zip(map(str, keys), values, strict=False))


def read_snapshot(raw: Mapping[str, Any] | None, now_ms: int | None, hl_ms: float | None) -> ViewerSnapshot | None:
    """The `snapshot` map of the feed query's viewer (None: no fresh snapshot; the live parts stand)."""
    if not raw:
        return None
    at_ms = _int(raw.get("at_ms"))
    decay = snapshot_decay(at_ms, now_ms, hl_ms)
    users = raw.get("direct_users") or []
    values = raw.get("direct_values") or []
    states = raw.get("direct_states") or []
    direct = {
        str(u): ([_float(x) for x in values[5 * n: 5 * n + 5]], str(states[n]) if n < len(states) else "")
        for n, u in enumerate(users)
        if 5 * n + 5 <= len(values)
    }
    snapshot = ViewerSnapshot(
        at_ms=at_ms,
        decay=decay,
        kind_weights={k: _float(w) * decay for k, w in _pairs(raw.get("kinds"), raw.get("kind_weights")).items()},
        connections=_int(raw.get("connections")),
        tie_out=_float(raw.get("tie_out")) * decay,
        authored=_int(raw.get("authored")),
        similar_users=_int(raw.get("similar_users")),
        direct=direct,
        engaged_out=_pairs(raw.get("engaged_out_users"), raw.get("engaged_out_values")),
        engaged_in=_pairs(raw.get("engaged_in_users"), raw.get("engaged_in_values")),
        mutual=_pairs(raw.get("mutual_users"), raw.get("mutual_counts")),
        platform=_pairs(raw.get("platform_users"), raw.get("platform_statuses")),
        sim=_pairs(raw.get("sim_refs"), raw.get("sim_values")),
        near=_pairs(raw.get("near_refs"), raw.get("near_values")),
    )
    tied = frozenset().union(snapshot.direct, snapshot.engaged_out, snapshot.engaged_in, snapshot.mutual,
                             snapshot.platform)
    return replace(snapshot, tied=tied)


def read_viewer(viewer: Mapping[str, Any] | None, snapshot: ViewerSnapshot | None = None) -> ViewerFeatures:
    """The `viewer` map of feed/score_candidates.cypher (None: no candidate was found; nothing is known)."""
    if not viewer or not viewer.get("known"):
        return ViewerFeatures()
    hours_raw = viewer.get("hours")
    hours = tuple(_float(h) for h in hours_raw) if isinstance(hours_raw, (list, tuple)) else ()
    community = viewer.get("community")
    if snapshot is not None:
        return ViewerFeatures(
            known=True,
            community=_int(community) if community is not None else None,
            active_hours=hours if len(hours) == 24 else (),
            kind_weights=dict(snapshot.kind_weights),
            connections=snapshot.connections,
            tie_weight_out=snapshot.tie_out,
            authored=snapshot.authored,
            similar_users=snapshot.similar_users,
            from_snapshot=True,
        )
    kinds: dict[str, float] = {}
    for pair in viewer.get("kinds") or ():
        if isinstance(pair, (list, tuple)) and len(pair) == 2 and pair[0] is not None:
            kinds[str(pair[0])] = kinds.get(str(pair[0]), 0.0) + _float(pair[1])
    return ViewerFeatures(
        known=True,
        community=_int(community) if community is not None else None,
        active_hours=hours if len(hours) == 24 else (),
        kind_weights=kinds,
        connections=_int(viewer.get("connections")),
        tie_weight_out=_float(viewer.get("tie_out")),
        authored=_int(viewer.get("authored")),
        similar_users=_int(viewer.get("similar_users")),
    )


@dataclass(frozen=True)
class ScoresRead:
    """One feed query's record, read: the viewer and the features by candidate index, plus what the process may
    keep for later calls (graph/feed/cache.py): the rows the snapshot branch returned, and the snapshot if the
    query sent it whole (undecayed)."""

    viewer: ViewerFeatures
    features: list[CandidateFeatures]  # empty when read with `features=False` from the snapshot branch
    rows: dict[int, ContentRow] = field(default_factory=dict)
    snapshot: ViewerSnapshot | None = None
    from_snapshot: bool = False
    joined: SnapshotJoin | None = None  # the snapshot branch's parts, for `batch_scoring.gather_rows`


@dataclass(frozen=True)
class SnapshotJoin:
    """What the snapshot branch's features are made of: content rows by candidate index (the query's and the
    cached ones), the viewer's snapshot decayed to the request, the viewer's platform communities."""

    rows: dict[int, ContentRow]
    snapshot: ViewerSnapshot
    groups: frozenset[str]
    now_ms: int | None
    hl_ms: float | None


def read_scores_record(
    record: Mapping[str, Any] | None, n_candidates: int, *, now_ms: int | None = None, hl_ms: float | None = None
) -> tuple[ViewerFeatures, list[CandidateFeatures]]:
    """The one record of feed/score_candidates.cypher: the viewer, and features by candidate index (a candidate
    absent from the graph gets `CandidateFeatures()`). From the snapshot branch, the viewer snapshot is merged
    in, decayed from its time to `now_ms` with half-life `hl_ms` (the query's `$now_ms`, `$hl_ms`)."""
    read = read_scores(record, n_candidates, now_ms=now_ms, hl_ms=hl_ms)
    return read.viewer, read.features


def read_scores(
    record: Mapping[str, Any] | None,
    n_candidates: int,
    *,
    now_ms: int | None = None,
    hl_ms: float | None = None,
    cached_rows: Mapping[int, ContentRow] | None = None,
    held: ViewerSnapshot | None = None,
    features: bool = True,
) -> ScoresRead:
    """`read_scores_record` for a caller with a content cache: `cached_rows` (by candidate index) stand for the
    candidates the query was told not to look up, and `held` (undecayed) for a snapshot the query did not send
    because the caller holds it (`$have_at_ms`). `features=False`: from the snapshot branch, only `joined` (the
    caller scores from it without building `CandidateFeatures`)."""
    if record is None:
        return ScoresRead(ViewerFeatures(), [CandidateFeatures() for _ in range(n_candidates)])
    raw_viewer = record.get("viewer")
    if record.get("from_snapshot") and raw_viewer:
        raw_snap = raw_viewer.get("snapshot")
        fresh: ViewerSnapshot | None = None
        base: ViewerSnapshot | None = None
        if isinstance(raw_snap, Mapping) and raw_snap.get("held"):
            if held is None or held.at_ms != _int(raw_snap.get("at_ms")):
                raise RuntimeError("the query did not send a snapshot the caller does not hold")
            base = held
        else:
            fresh = base = read_snapshot(raw_snap, None, None)
        if base is not None:
            rows = {}
            for row in record.get("rows") or ():
                i = _int(row[0])
                if 0 <= i < n_candidates:
                    rows[i] = read_content_row(row)
            snap = base.at(now_ms, hl_ms)
            viewer = read_viewer(raw_viewer, snap)
            groups = frozenset(_strings(raw_viewer.get("groups")))
            merged = {**cached_rows, **rows} if cached_rows else rows
            joined = SnapshotJoin(merged, snap, groups, now_ms, hl_ms)
            if not features:
                return ScoresRead(viewer, [], rows, fresh, True, joined)
            out = snapshot_features(merged, n_candidates, viewer, snap, groups, now_ms, hl_ms)
            return ScoresRead(viewer, out, rows, fresh, True, joined)
    viewer, live = _read_live_rows(record, raw_viewer, n_candidates)
    return ScoresRead(viewer, live)


@dataclass(frozen=True, slots=True)
class ContentRow:
    """A candidate as the snapshot branch reads it. Nothing in it depends on the viewer, so a process may keep
    it for later calls of any viewer (graph/feed/cache.py). Weights are as of `at_ms`."""

    author_id: str | None
    created_at: datetime | None
    kind: str | None
    engagers: int
    sample_n: int
    sample_weight: float
    sample_duration: float
    sample_scroll_sum: float
    sample_scroll_n: float
    community_weights: dict[Any, float]  # GDS community id -> engagement weight from it
    at_ms: int
    ref: str  # the content's key in viewer snapshots (content_ref)
    author_community: int | None
    author_influence: float | None
    authored: int
    author_groups: frozenset[str]  # element ids of the author's platform communities
    created_us: int | None = None  # created_at in microseconds since the epoch (exact: hours and ages from it)
    # derived once, for batch_scoring.gather_rows: the engagement numbers, and (at_ms, created_us or 0, dated)
    numbers: tuple[float, ...] = field(init=False)
    times: tuple[int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "numbers", (self.sample_weight, float(self.engagers), float(self.sample_n),
                                             self.sample_duration, self.sample_scroll_sum, self.sample_scroll_n))
        created = self.created_us
        object.__setattr__(self, "times", (self.at_ms, 0 if created is None else created, int(created is not None)))


def read_content_row(row: Sequence[Any]) -> ContentRow:
    """A row of feed/score_snapshot.cypher (layout in its header)."""
    by_community: dict[Any, float] = {}
    keys, weights = row[10], row[11]
    if isinstance(keys, (list, tuple)) and isinstance(weights, (list, tuple)):
        for key, w in zip(keys, weights, strict=False):
            if key is not None:  # summed in the query's order: the same float as its reduce
                by_community[key] = by_community.get(key, 0.0) + _float(w)
    kind = row[3]
    community = row[14]
    created = to_datetime(row[2])
    return ContentRow(
        author_id=None if row[1] is None else str(row[1]),
        created_at=created,
        kind=None if kind is None else str(kind),
        engagers=_int(row[4]),
        sample_n=_int(row[5]),
        sample_weight=_float(row[6]),
        sample_duration=_float(row[7]),
        sample_scroll_sum=_float(row[8]),
        sample_scroll_n=_float(row[9]),
        community_weights=by_community,
        at_ms=_int(row[12]),
        ref="" if row[13] is None else str(row[13]),
        author_community=None if community is None else _int(community),
        author_influence=None if row[15] is None else _float(row[15]),
        authored=_int(row[16]),
        author_groups=frozenset(_strings(row[17])),
        created_us=None if created is None else (created - EPOCH) // ONE_MICROSECOND,
    )


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_MICROSECOND = timedelta(microseconds=1)


def snapshot_features(
    rows: Mapping[int, ContentRow],
    n_candidates: int,
    viewer: ViewerFeatures,
    snap: ViewerSnapshot,
    groups: frozenset[str],
    now_ms: int | None,
    hl_ms: float | None,
) -> list[CandidateFeatures]:
    """Content rows (by candidate index) joined with one viewer's snapshot (decayed to `now_ms`): the features
    the scorer takes. One `TieFeatures` per author, so the scorer computes each strength once."""
    out: list[CandidateFeatures | None] = [None] * n_candidates
    ties: dict[str, TieFeatures] = {}
    community = viewer.community
    sim, near, sim_decay = snap.sim, snap.near, snap.decay
    for i, row in rows.items():
        if not 0 <= i < n_candidates:
            continue
        author_id = row.author_id
        tie = None
        if author_id is not None:
            tie = ties.get(author_id)
            if tie is None:
                tie = ties[author_id] = snap.tie_to(
                    author_id,
                    community is not None and row.author_community is not None and row.author_community == community,
                    len(row.author_groups & groups) if groups and row.author_groups else 0,
                    row.author_influence,
                    row.authored,
                )
        decay = snapshot_decay(row.at_ms, now_ms, hl_ms)
        out[i] = CandidateFeatures(
            found=True,
            kind=row.kind,
            created_at=row.created_at,
            engagers=row.engagers,
            sample_n=row.sample_n,
            sample_weight=row.sample_weight * decay,
            sample_duration=row.sample_duration,
            sample_scroll_sum=row.sample_scroll_sum,
            sample_scroll_n=row.sample_scroll_n,
            community_weight=row.community_weights.get(community, 0.0) * decay if community is not None else 0.0,
            similar_users_weight=sim.get(row.ref, 0.0) * sim_decay,
            content_similarity=near.get(row.ref, 0.0),
            author_id=author_id,
            tie=tie,
        )
    return [CandidateFeatures() if f is None else f for f in out]


def _candidate(row: Sequence[Any], author_id: str | None, tie: TieFeatures | None,
               similar_users_weight: float, content_similarity: float) -> CandidateFeatures:
    """Columns 2-11 are laid out alike in both branches."""
    kind = row[3]
    decay = _float(row[11])
    return CandidateFeatures(
        found=True,
        kind=None if kind is None else str(kind),
        created_at=to_datetime(row[2]),
        engagers=_int(row[4]),
        sample_n=_int(row[5]),
        sample_weight=_float(row[6]) * decay,
        sample_duration=_float(row[7]),
        sample_scroll_sum=_float(row[8]),
        sample_scroll_n=_float(row[9]),
        community_weight=_float(row[10]) * decay,
        similar_users_weight=similar_users_weight,
        content_similarity=content_similarity,
        author_id=author_id,
        tie=tie,
    )


def _read_live_rows(record: Mapping[str, Any], raw_viewer: Mapping[str, Any] | None,
                    n_candidates: int) -> tuple[ViewerFeatures, list[CandidateFeatures]]:
    out = [CandidateFeatures() for _ in range(n_candidates)]
    viewer = read_viewer(raw_viewer)
    ties: dict[int, tuple[str | None, TieFeatures | None]] = {}
    for entry in record.get("ties") or ():
        gi, author_id, tie = entry[0], entry[1], entry[2]
        ties[_int(gi)] = (None, None) if author_id is None else (str(author_id), read_tie(tie))
    for row in record.get("rows") or ():
        i = _int(row[0])
        if 0 <= i < n_candidates:
            author_id, tie = ties.get(_int(row[1]), (None, None))
            out[i] = _candidate(row, author_id, tie, _float(row[12]), _float(row[13]))
    return viewer, out


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, without repeats."""
    seen: set[str] = set()
    out = []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out
