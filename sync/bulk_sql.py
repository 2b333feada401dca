"""The bulk backfill's SQL: which rows are "plain", and the GROUP BY queries that sum them per edge or user.

A row is plain when a SQL predicate proves that `sync.mapping` maps it without a quarantine, a note or a
lookup, to one change whose numbers SQL can compute exactly as the mapping does: known, already
normalized type values (no trimming or case folding needed), ids in their canonical form, numbers in
range, times in range, metadata an object. Every other row (bad, off-list in any doubt, connection
events, vibe sends, a `post_uid` that is not canonical, sessions logged as content, ...) is left to the
Python path. Each table's plain rows fall into disjoint *kinds* (engagement, impression, visit, activity count,
session, vibe profile); each query sums one kind. Weights and limits come from `MappingConfig` and
reach Postgres as parameters only; identifiers are composed with `psycopg.sql`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from psycopg import sql

from sync.mapping import MappingConfig
from sync.mapping.vocab import OFF_LIST, PLATFORM_CHOICES

__all__ = ["BulkPlan", "BulkQuery", "QueryKind", "bulk_plan"]

QueryKind = Literal["edges", "impressions", "authors", "activity", "sessions", "vibes", "skipped"]
_TWIN = "twin_of_social_profile_visit"

# Event times the mapping accepts ([1970, 9000), `sync.mapping._common`), and a range of other times
# psycopg can load into Python datetimes (a row outside it goes to the Python path, which then fails
# exactly as before).
_EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)
_LOADABLE_MIN = datetime(1, 1, 3, tzinfo=timezone.utc)
_LOADABLE_MAX = datetime(9999, 12, 29, tzinfo=timezone.utc)

# Postgres ARE: anchored, no newline special-casing; `[!-~]` is printable ASCII but the space.
_HEX32_RE = "^[0-9a-f]{32}$"
_EDGE_CHAR_RE_START = "^[!-~]"
_EDGE_CHAR_RE_END = "[!-~]$"


@dataclass(frozen=True)
class BulkQuery:
    """One aggregate query over the plain rows of a kind in the id range `(%(lo)s, %(hi)s]`."""

    kind: QueryKind
    query: sql.Composed
    # for "edges": the relationship type and the prefix of the interaction type (media rows: "media_")
    rel_type: str = ""
    type_prefix: str = ""
    # how a row's target is named: "content" (content_type, content_id) or "user" (a Django user id)
    target: Literal["content", "user", ""] = ""
    props: tuple[str, ...] = ()  # for "edges": the summed properties, in column order
    reason: str = ""  # for "skipped": the `Skipped` reason its rows are counted under


@dataclass(frozen=True)
class BulkPlan:
    """A table's plain-row predicate (over alias `t`) and its aggregate queries; `params` go with both."""

    table: str
    user_column: str
    plain: sql.Composable
    queries: tuple[BulkQuery, ...]
    params: dict[str, object] = field(default_factory=dict)


def _known(table: str, column: str, extra: Iterable[str] = ()) -> list[str]:
    """Values of a column the mapping accepts without a note, in their normalized spelling only."""
    values = set(PLATFORM_CHOICES.get((table, column), ())) | set(OFF_LIST.get((table, column), {})) | set(extra)
    return sorted(v for v in values if v == v.strip().lower() and v)


def _id(name: str) -> sql.Composable:
    return sql.SQL("t.") + sql.Identifier(name)


def _p(name: str, cast: str = "") -> sql.Composable:
    """A named parameter, optionally cast (`cast` is one of a few fixed type names, never data)."""
    if cast not in ("", "float8", "text[]", "float8[]", "bigint", "timestamptz"):
        raise ValueError(cast)
    return sql.Placeholder(name) + (sql.SQL("::" + cast) if cast else sql.SQL(""))


def _and(*parts: sql.Composable) -> sql.Composable:
    return sql.SQL("(") + sql.SQL(" AND ").join(parts) + sql.SQL(")")


def _or(*parts: sql.Composable) -> sql.Composable:
    return sql.SQL("(") + sql.SQL(" OR ").join(parts) + sql.SQL(")")


def _common(user_columns: Iterable[str]) -> list[sql.Composable]:
    """Checks every table's mapping makes first: ids, event time, updated_at, metadata."""
    ts, upd = _id("timestamp"), _id("updated_at")
    parts: list[sql.Composable] = [sql.SQL("{} > 0").format(_id("id"))]
    parts += [sql.SQL("{} > 0").format(_id(c)) for c in user_columns]
    parts += [
        sql.SQL("{} >= {} AND {} < {}").format(ts, _p("t_min", "timestamptz"), ts, _p("t_max", "timestamptz")),
        sql.SQL("{} >= {} AND {} < {}").format(upd, _p("u_min", "timestamptz"), upd, _p("u_max", "timestamptz")),
        sql.SQL("{} - {} <= make_interval(secs => {})").format(ts, upd, _p("skew", "float8")),
        sql.SQL("jsonb_typeof({}) = 'object'").format(_id("metadata")),
    ]
    return parts


def _in(column: sql.Composable, param: str) -> sql.Composable:
    return sql.SQL("{} = ANY({})").format(column, _p(param, "text[]"))


def _seconds_ok(column: str, limit_param: str) -> sql.Composable:
    """`sync.mapping._common.seconds`: null, or within [0, limit]."""
    c = _id(column)
    return sql.SQL("({c} IS NULL OR ({c} >= 0 AND {c} <= {lim}))").format(c=c, lim=_p(limit_param, "float8"))


def _text_id_ok(column: str) -> sql.Composable:
    """A free-text id that `.strip()` leaves unchanged and non-empty (printable ASCII at both ends)."""
    c = _id(column)
    return sql.SQL("({c} ~ {a} AND {c} ~ {b})").format(c=c, a=sql.Literal(_EDGE_CHAR_RE_START),
                                                       b=sql.Literal(_EDGE_CHAR_RE_END))


def _content_ok(type_column: str, id_column: str, platform_param: str, generic_param: str) -> sql.Composable:
    """`content_node`: a platform type with a canonical 32-hex uid, or a generic type with a clean id."""
    return _or(
        _and(_in(_id(type_column), platform_param), sql.SQL("{} ~ {}").format(_id(id_column),
                                                                              sql.Literal(_HEX32_RE))),
        _and(_in(_id(type_column), generic_param), _text_id_ok(id_column)),
    )


def _time_bonus(column: str) -> sql.Composable:
    """`sync.weights.time_bonus`, the same float operations."""
    c = _id(column)
    return sql.SQL(
        "(CASE WHEN {c} IS NULL OR {c} = 0 THEN 0::float8"
        " ELSE least({c}::float8 / 60::float8, {cap}) * {per} END)"
    ).format(c=c, cap=_p("tb_cap", "float8"), per=_p("tb_per_minute", "float8"))


def _scroll_bonus(column: str) -> sql.Composable:
    """`sync.weights.scroll_bonus`."""
    c = _id(column)
    return sql.SQL("(CASE WHEN {c} IS NULL OR {c} = 0 THEN 0::float8 ELSE {c} / 100::float8 * {full} END)").format(
        c=c, full=_p("scroll_full", "float8"))


def _weight(type_column: str, types_param: str, values_param: str, default_param: str) -> sql.Composable:
    """weight[type] from a (types, values) parameter pair, else the table's default."""
    return sql.SQL("coalesce(({vals})[array_position({types}, {c})], {d})").format(
        vals=_p(values_param, "float8[]"), types=_p(types_param, "text[]"), c=_id(type_column),
        d=_p(default_param, "float8"))


def _range(user_column: str) -> sql.Composable:
    """The batch's id range and the partition's users."""
    return sql.SQL("t.id > {lo} AND t.id <= {hi} AND {u} %% {pc} = {pi}").format(
        lo=_p("lo", "bigint"), hi=_p("hi", "bigint"), u=_id(user_column), pc=_p("pcount", "bigint"),
        pi=_p("pindex", "bigint"))


def _decay_exponent() -> sql.Composable:
    """(last - at)/hl in float8, as `sync.decay` computes it from `timedelta.total_seconds()`.

    2^-d underflows to 0 (Python's result) past d = 1075; Postgres raises there instead, hence the
    CASE around `power` (at 1074.9 the true value is below 6e-324).
    """
    return sql.SQL("((extract(epoch FROM last_at - at))::float8 / {hl})").format(hl=_p("hl", "float8"))


def _content_key(type_column: str, id_column: str) -> dict[str, sql.Composable]:
    return {"ctype": sql.SQL('{}::text COLLATE "C"').format(_id(type_column)),
            "cid": sql.SQL('{}::text COLLATE "C"').format(_id(id_column))}


def _edge_query(
    table: str,
    user_column: str,
    where: sql.Composable,
    dst: Mapping[str, sql.Composable],
    type_column: str,
    contribution: sql.Composable,
    props: Mapping[str, sql.Composable],
    *,
    rel_type: str,
    type_prefix: str = "",
) -> BulkQuery:
    """One row per (source, target): count, first/last time, the decayed weight as of the edge's last time
    (sum of c * 2^(-(last - t)/hl)), counts by type, and each property's sum and count."""
    dst_names = list(dst)
    prop_names = list(props)
    key = sql.SQL(", ").join([sql.Identifier("src")] + [sql.Identifier(n) for n in dst_names])
    # Text keys sort by bytes ("C"): the grouping needs equality only, and it is far cheaper than a locale.
    select_r = sql.SQL(", ").join(
        [sql.SQL("{} AS src").format(_id(user_column))]
        + [sql.SQL("{} AS {}").format(expr, sql.Identifier(n)) for n, expr in dst.items()]
        + [sql.SQL('{}::text COLLATE "C" AS itype').format(_id(type_column)),
           sql.SQL("{} AS at").format(_id("timestamp")),
           sql.SQL("{} AS c").format(contribution)]
        + [sql.SQL("{} AS {}").format(expr, sql.Identifier("p_" + n)) for n, expr in props.items()]
    )
    prop_g = sql.SQL("").join(
        sql.SQL(", sum({p}) AS {s}, count({p}) AS {n}").format(
            p=sql.Identifier("p_" + n), s=sql.Identifier("s_" + n), n=sql.Identifier("n_" + n))
        for n in prop_names
    )
    prop_out = sql.SQL("").join(
        sql.SQL(", sum({s}) AS {s}, sum({n})::bigint AS {n}").format(s=sql.Identifier("s_" + n),
                                                                     n=sql.Identifier("n_" + n))
        for n in prop_names
    )
    query = sql.SQL(
        "WITH r AS (SELECT {select_r} FROM {tbl} t WHERE {where}),"
        " x AS (SELECT r.*, max(r.at) OVER (PARTITION BY {key} ORDER BY itype"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_at FROM r),"
        " g AS (SELECT {key}, itype, count(*) AS n, min(at) AS first_at, max(last_at) AS last_at,"
        " sum(c * (CASE WHEN {d} > 1074.9 THEN 0::float8 ELSE power(2::float8, -{d}) END)) AS w{prop_g}"
        " FROM x GROUP BY {key}, itype)"
        " SELECT {key}, sum(n)::bigint AS n, min(first_at) AS first_at, max(last_at) AS last_at, sum(w) AS w,"
        " array_agg(itype) AS types, array_agg(n) AS type_n{prop_out} FROM g GROUP BY {key}"
    ).format(select_r=select_r, tbl=sql.Identifier(table), where=where, key=key, d=_decay_exponent(),
             prop_g=prop_g, prop_out=prop_out)
    return BulkQuery("edges", query, rel_type, type_prefix, "user" if len(dst_names) == 1 else "content",
                     tuple(prop_names))


def _content_key_query(table: str, user_column: str, where: sql.Composable, kind: Literal["impressions", "authors"],
                       type_column: str, id_column: str) -> sql.Composed:
    """Impressions (count, first, last) or authorships (count, first) per (user, content)."""
    return sql.SQL(
        "SELECT {u} AS src, {ct} AS ctype, {ci} AS cid, count(*) AS n, min({ts}) AS first_at, max({ts}) AS last_at"
        " FROM {tbl} t WHERE {where} GROUP BY 1, 2, 3"
    ).format(u=_id(user_column), ct=_id(type_column), ci=_id(id_column), ts=_id("timestamp"),
             tbl=sql.Identifier(table), where=where)


def _activity_query(table: str, where: sql.Composable, type_column: str) -> sql.Composed:
    """Per user: rows by type and by UTC hour (`UserActivityCount`), one grouping set each."""
    return sql.SQL(
        "SELECT src, atype, hour, count(*) AS n, grouping(atype) AS by_hour FROM"
        " (SELECT t.user_id AS src, {c} AS atype, extract(hour FROM {ts} AT TIME ZONE 'UTC')::int AS hour"
        " FROM {tbl} t WHERE {where}) r GROUP BY GROUPING SETS ((src, atype), (src, hour))"
    ).format(c=_id(type_column), ts=_id("timestamp"), tbl=sql.Identifier(table), where=where)


def _base_params(cfg: MappingConfig) -> dict[str, object]:
    w = cfg.weights
    return {
        "t_min": _EARLIEST, "t_max": _LATEST, "u_min": _LOADABLE_MIN, "u_max": _LOADABLE_MAX,
        "skew": w.max_future_skew_seconds, "max_duration": w.max_duration_seconds,
        "max_session": w.max_session_seconds, "tb_cap": w.time_bonus_cap_minutes,
        "tb_per_minute": w.time_bonus_per_minute, "scroll_full": w.scroll_bonus_full,
        "hl": w.half_life_seconds,
    }


def _weights(prefix: str, table: Mapping[str, float], default: float) -> dict[str, object]:
    types = sorted(table)
    return {f"{prefix}_types": types, f"{prefix}_values": [float(table[t]) for t in types],
            f"{prefix}_default": float(default)}


def _content_plan(cfg: MappingConfig) -> BulkPlan:
    table, w = "content_interaction", cfg.weights
    labels = set(cfg.content_labels)
    ctypes = [c for c in _known(table, "content_type", labels) if c not in ("connection", "session")]
    itypes = _known(table, "interaction_type", w.content)
    params = _base_params(cfg) | _weights("cw", w.content, w.content_default) | {
        "ct_platform": [c for c in ctypes if c in labels],
        "ct_generic": [c for c in ctypes if c not in labels],
        "it_known": itypes,
    }
    common = _and(*_common(["user_id"]), _seconds_ok("duration_seconds", "max_duration"),
                  sql.SQL("(t.scroll_depth_percentage IS NULL OR t.scroll_depth_percentage BETWEEN 0 AND 100)"),
                  _content_ok("content_type", "content_id", "ct_platform", "ct_generic"),
                  _in(_id("interaction_type"), "it_known"))
    impression = sql.SQL("(t.interaction_type = 'view' AND t.metadata -> 'source' = '\"feed_view\"'::jsonb)")
    engage = sql.SQL("({} IS NOT TRUE)").format(impression)
    rng = _range("user_id")
    contribution = sql.SQL("({} + {}) + {}").format(
        _weight("interaction_type", "cw_types", "cw_values", "cw_default"), _time_bonus("duration_seconds"),
        _scroll_bonus("scroll_depth_percentage"))
    edges = _edge_query(table, "user_id", _and(rng, common, engage),
                        _content_key("content_type", "content_id"), "interaction_type", contribution,
                        {"duration_seconds": sql.SQL("t.duration_seconds::float8"),
                         "scroll_depth": _id("scroll_depth_percentage")}, rel_type="ENGAGED_WITH")
    authors = _content_key_query(table, "user_id", _and(rng, common, engage,
                                                        sql.SQL("t.interaction_type = 'create'")),
                                 "authors", "content_type", "content_id")
    impressions = _content_key_query(table, "user_id", _and(rng, common, impression), "impressions",
                                     "content_type", "content_id")
    return BulkPlan(table, "user_id", _and(common, _or(impression, engage)), (
        edges,
        BulkQuery("authors", authors),
        BulkQuery("impressions", impressions),
    ), params)


def _media_plan(cfg: MappingConfig) -> BulkPlan:
    table, w = "media_interaction", cfg.weights
    labels = set(cfg.content_labels)
    mtypes = [m for m in _known(table, "media_type") if m != "comment_media"]
    params = _base_params(cfg) | _weights("mw", w.media, w.media_default) | {
        "mt_platform": [m for m in mtypes if m in labels],
        "mt_generic": [m for m in mtypes if m not in labels],
        "it_known": _known(table, "interaction_type", w.media),
    }
    common = _and(*_common(["user_id"]), _seconds_ok("duration_seconds", "max_duration"),
                  _seconds_ok("position_seconds", "max_duration"), _in(_id("interaction_type"), "it_known"))
    # comment_media naming a post (metadata.post_uid, canonical 32 hex): engagement with the post; naming none
    # (no post_uid, or not a string): with the comment_media node itself; any other post_uid: Python path.
    post_uid = sql.SQL("(t.metadata -> 'post_uid')")
    to_post = sql.SQL("(t.media_type = 'comment_media' AND jsonb_typeof({p}) = 'string' AND {p} #>> '{{}}' ~ {re})"
                      ).format(p=post_uid, re=sql.Literal(_HEX32_RE))
    kinds: list[sql.Composable] = [_content_ok("media_type", "media_id", "mt_platform", "mt_generic"), to_post]
    if "comment_media" not in labels:
        kinds.append(_and(sql.SQL("t.media_type = 'comment_media'"),
                          sql.SQL("jsonb_typeof({}) IS DISTINCT FROM 'string'").format(post_uid),
                          _text_id_ok("media_id")))
    plain = _and(common, _or(*kinds))
    contribution = sql.SQL("{} + {}").format(_weight("interaction_type", "mw_types", "mw_values", "mw_default"),
                                             _time_bonus("duration_seconds"))
    dst = {"ctype": sql.SQL("(CASE WHEN {} THEN 'post' ELSE t.media_type::text END) COLLATE \"C\"").format(to_post),
           "cid": sql.SQL("(CASE WHEN {} THEN {} #>> '{{}}' ELSE t.media_id::text END) COLLATE \"C\"").format(
               to_post, post_uid)}
    edges = _edge_query(table, "user_id", _and(_range("user_id"), plain), dst, "interaction_type", contribution,
                        {"duration_seconds": sql.SQL("t.duration_seconds::float8"),
                         "position_seconds": sql.SQL("t.position_seconds::float8")},
                        rel_type="ENGAGED_WITH", type_prefix="media_")
    return BulkPlan(table, "user_id", plain, (edges,), params)


def _social_plan(cfg: MappingConfig) -> BulkPlan:
    from sync.mapping import SOCIAL_CONNECTION_TYPES

    table, w = "social_interaction", cfg.weights
    activity_types = [t for t in _known(table, "interaction_type")
                      if t != "profile_visit" and t not in SOCIAL_CONNECTION_TYPES]
    params = _base_params(cfg) | {"visit_weight": float(w.visit_weight("profile_visit")),
                                  "activity_types": activity_types}
    common = _and(*_common(["user_id"]))
    visit = sql.SQL("(t.interaction_type = 'profile_visit' AND t.target_user_id > 0"
                    " AND t.target_user_id <> t.user_id)")
    activity = _in(_id("interaction_type"), "activity_types")
    rng = _range("user_id")
    edges = _edge_query(table, "user_id", _and(rng, common, visit), {"dst_user": _id("target_user_id")},
                        "interaction_type", _p("visit_weight", "float8"), {}, rel_type="VISITED")
    counts = _activity_query(table, _and(rng, common, activity), "interaction_type")
    return BulkPlan(table, "user_id", _and(common, _or(visit, activity)), (
        edges,
        BulkQuery("activity", counts),
    ), params)


def _profile_plan(cfg: MappingConfig) -> BulkPlan:
    table, w = "profile_activity", cfg.weights
    params = _base_params(cfg) | _weights("vw", w.visit, w.visit_default) | {
        "at_known": _known(table, "activity_type", w.visit)}
    common = _and(
        *_common(["visitor_id", "profile_owner_id"]), sql.SQL("t.visitor_id <> t.profile_owner_id"),
        _in(_id("activity_type"), "at_known"), _seconds_ok("duration_seconds", "max_duration"),
    )
    # The twin of a social_interaction profile_visit: counted as a skip, no edge (docs/mapping.md).
    twin = sql.SQL("(t.activity_type = 'profile_view'"
                   " AND t.metadata -> 'query_type' = '\"profile_by_user_id\"'::jsonb)")
    contribution = sql.SQL("{} + {}").format(_weight("activity_type", "vw_types", "vw_values", "vw_default"),
                                             _time_bonus("duration_seconds"))
    rng = _range("visitor_id")
    edges = _edge_query(table, "visitor_id", _and(rng, common, sql.SQL("{} IS NOT TRUE").format(twin)),
                        {"dst_user": _id("profile_owner_id")}, "activity_type", contribution,
                        {"duration_seconds": sql.SQL("t.duration_seconds::float8")}, rel_type="VISITED")
    skipped = sql.SQL("SELECT count(*) FROM profile_activity t WHERE {}").format(_and(rng, common, twin))
    return BulkPlan(table, "visitor_id", common, (edges, BulkQuery("skipped", skipped, reason=_TWIN)), params)


def _user_activity_plan(cfg: MappingConfig) -> BulkPlan:
    table = "user_activity"
    params = _base_params(cfg) | {"at_known": _known(table, "activity_type")}
    common = _and(*_common(["user_id"]), _in(_id("activity_type"), "at_known"), sql.SQL("t.success IS NOT NULL"))
    counts = _activity_query(table, _and(_range("user_id"), common), "activity_type")
    return BulkPlan(table, "user_id", common, (BulkQuery("activity", counts),), params)


def _session_plan(cfg: MappingConfig) -> BulkPlan:
    table = "session_activity"
    params = _base_params(cfg) | {"st_known": _known(table, "session_type")}
    start, end = _id("start_time"), _id("end_time")

    def loadable(c: sql.Composable) -> sql.Composable:
        return sql.SQL("({c} IS NULL OR ({c} >= {lo} AND {c} < {hi}))").format(
            c=c, lo=_p("u_min", "timestamptz"), hi=_p("u_max", "timestamptz"))

    common = _and(
        *_common(["user_id"]), sql.SQL("t.session_id ~ {}").format(sql.Literal("[!-~]")),
        _in(_id("session_type"), "st_known"), loadable(start), loadable(end),
        _seconds_ok("duration_seconds", "max_session"),
        sql.SQL("({s} IS NULL OR {e} IS NULL OR ({e} >= {s}"
                " AND extract(epoch FROM {e} - {s})::float8 <= {m}))").format(s=start, e=end,
                                                                             m=_p("max_session", "float8")),
        sql.SQL("(t.pages_visited IS NULL OR t.pages_visited >= 0)"),
        sql.SQL("(t.actions_performed IS NULL OR t.actions_performed >= 0)"),
    )
    length = sql.SQL("CASE WHEN t.duration_seconds IS NOT NULL THEN t.duration_seconds::float8"
                     " WHEN {s} IS NOT NULL AND {e} IS NOT NULL THEN extract(epoch FROM {e} - {s})::float8 END"
                     ).format(s=start, e=end)
    q = sql.SQL(
        "SELECT t.user_id AS src, count(*) AS n, sum({len}) AS len_sum, max({len}) AS len_max"
        " FROM session_activity t WHERE {where} GROUP BY 1"
    ).format(len=length, where=_and(_range("user_id"), common))
    return BulkPlan(table, "user_id", common, (BulkQuery("sessions", q),), params)


def _vibe_plan(cfg: MappingConfig) -> BulkPlan:
    table = "vibe_activity"
    params = _base_params(cfg) | {
        # vibe_send makes an edge to a target that needs resolving: the Python path.
        "at_known": [a for a in _known(table, "activity_type") if a != "vibe_send"],
        "vt_known": _known(table, "vibe_type"),
        "score_max": float(cfg.weights.vibe_score_max),
    }
    finite = [sql.SQL("({c} IS NULL OR ({c} > '-Infinity'::float8 AND {c} < 'Infinity'::float8))").format(c=_id(c))
              for c in ("iq_impact", "aq_impact", "sq_impact", "hq_impact")]
    common = _and(
        *_common(["user_id"]), _in(_id("activity_type"), "at_known"), _in(_id("vibe_type"), "vt_known"),
        sql.SQL("t.success IS TRUE"),
        sql.SQL("(t.vibe_score IS NULL OR t.vibe_score BETWEEN 0 AND {})").format(_p("score_max", "float8")),
        *finite,
    )
    q = sql.SQL(
        "SELECT t.user_id AS src, count(*) AS n, sum(t.vibe_score) AS score, sum(t.iq_impact) AS iq,"
        " sum(t.aq_impact) AS aq, sum(t.sq_impact) AS sq, sum(t.hq_impact) AS hq"
        " FROM vibe_activity t WHERE {} GROUP BY 1"
    ).format(_and(_range("user_id"), common))
    return BulkPlan(table, "user_id", common, (BulkQuery("vibes", q),), params)


_PLANS = {
    "content_interaction": _content_plan,
    "media_interaction": _media_plan,
    "social_interaction": _social_plan,
    "profile_activity": _profile_plan,
    "user_activity": _user_activity_plan,
    "session_activity": _session_plan,
    "vibe_activity": _vibe_plan,
}


def bulk_plan(table: str, config: MappingConfig) -> BulkPlan | None:
    """The table's plan, or None for a table the bulk path does not cover (every row goes to Python)."""
    make = _PLANS.get(table)
    return None if make is None else make(config)
