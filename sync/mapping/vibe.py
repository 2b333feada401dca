"""vibe_activity -> VIBED edges to a still unresolved target (user or community), or the own vibe profile."""

from __future__ import annotations

from sync.changes import EdgeContribution, Mapped, MapResult, Note, Skipped, VibeProfileUpdate, VibeTarget
from sync.mapping._common import (
    Bad,
    MappingConfig,
    digits_id,
    event_time,
    flag,
    guarded,
    hex32,
    metadata,
    number,
    optional_text,
    props,
    row_id,
    show,
    type_value,
    unknown,
    user_id,
)
from sync.rows import VibeActivityRow
from sync.weights import vibe_contribution

__all__ = ["classify_target", "map_vibe_activity"]

TABLE = VibeActivityRow.TABLE


def classify_target(value: object) -> VibeTarget | None:
    """``target_user_id`` text -> a ``VibeTarget``; None for no target; raises ``Bad`` for anything else.

    All digits: a Django user id. 32 hex: a ``Users.uid`` or a ``Community.uid`` (the writer resolves which).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise Bad("bad_vibe_target", f"target_user_id must be text, got {show(value)}")
    if not value.strip():
        return None
    if (uid := hex32(value)) is not None:
        return VibeTarget("uid", uid, value)
    if (django_id := digits_id(value)) is not None:
        return VibeTarget("user_id", django_id, value)
    if value.strip() in ("None", "null"):
        raise Bad(
            "bad_vibe_target", f"target_user_id is the text {value.strip()!r} (the platform lost the target)"
        )
    raise Bad("bad_vibe_target", f"target_user_id is neither a user id nor a 32-hex uid: {show(value)}")


def map_vibe_activity(row: VibeActivityRow, config: MappingConfig | None = None) -> MapResult:
    """One vibe_activity row; never raises."""
    cfg = config if config is not None else MappingConfig()
    return guarded(TABLE, row.id, lambda: _map(row, cfg))


def _map(row: VibeActivityRow, cfg: MappingConfig) -> Mapped:
    w = cfg.weights
    rid = row_id(row.id)
    user = user_id(row.user_id, "user_id")
    at = event_time(row.timestamp, row.updated_at, w.max_future_skew_seconds)
    metadata(row.metadata)
    atype = type_value(row.activity_type, "activity_type")
    vtype = type_value(row.vibe_type, "vibe_type")
    success = flag(row.success, "success")
    score = number(row.vibe_score, "vibe_score")
    if score is not None and not 0.0 <= score <= w.vibe_score_max:
        raise Bad("bad_vibe_score", f"vibe_score must be within [0, {w.vibe_score_max:g}], got {score!r}")
    iq = number(row.iq_impact, "iq_impact")
    aq = number(row.aq_impact, "aq_impact")
    sq = number(row.sq_impact, "sq_impact")
    hq = number(row.hq_impact, "hq_impact")
    category = optional_text(row.vibe_category, "vibe_category")
    notes: list[Note] = [*unknown(TABLE, "activity_type", atype), *unknown(TABLE, "vibe_type", vtype)]
    if not success:
        return Mapped(notes=(*notes, Skipped(TABLE, rid, "failed_action")))

    profile = VibeProfileUpdate(user, atype, at, score, iq, aq, sq, hq, vtype)
    if atype != "vibe_send":
        # vibe_receive is the receiver's mirror of a vibe_send row (which makes the edge): the receiver's
        # profile; every other type has no target to relate to.
        return Mapped((profile,), tuple(notes))
    target = classify_target(row.target_user_id)
    if target is None:
        return Mapped((profile,), tuple(notes))
    if target.form == "user_id" and target.key == user:
        return Mapped(notes=(*notes, Skipped(TABLE, rid, "self_vibe")))
    edge = EdgeContribution(
        rel_type="VIBED",
        src=user,
        dst=target,
        at=at,
        contribution=vibe_contribution(score, category, w),
        interaction_type=atype,
        props=props(vibe_score=score, iq_impact=iq, aq_impact=aq, sq_impact=sq, hq_impact=hq),
    )
    return Mapped((edge,), tuple(notes))
