"""The values the feed functions return, and the raw graph features they are computed from.

Raw features come out of one Cypher query (`graph.feed.reader`); every number the caller sees is computed
from them by the pure functions in `graph.feed.scoring`, so a test can hand-compute any component.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FeedScore:
    """The graph's score of one candidate for one viewer.

    `score` is in [0, 1]; `components` maps each component and signal to its value (all in [0, 1]), so the
    caller can explain or re-weight. `reason` is set when the score is not the graph's own judgement (the
    deadline passed, the database was unreachable, ...): the score is then the neutral score.
    """

    content_type: str
    content_id: str
    score: float
    components: dict[str, float] = field(default_factory=dict)
    reason: str | None = None
    kind: str | None = None  # post_type (else content_type) as the graph knows it, for diversity re-ranking

    @property
    def neutral(self) -> bool:
        """True when the score is the neutral fallback rather than a judgement of the graph."""
        return self.reason is not None


@dataclass(slots=True)  # not frozen: a call builds hundreds, and frozen instances are slower to make
class TieFeatures:
    """What the graph holds between a viewer A and another user B, read from A's side (raw, undecayed counts;
    weights already decayed to the reference time)."""

    other_known: bool = False
    visit_out: float = 0.0  # decayed VISITED A -> B weight
    visit_in: float = 0.0
    vibe_out: float = 0.0  # decayed VIBED A -> B weight
    vibe_in: float = 0.0
    engaged_out: float = 0.0  # decayed ENGAGED_WITH weight of A on content B created
    engaged_in: float = 0.0
    connected_states: tuple[str, ...] = ()  # CONNECTED.state values between them (either direction)
    platform_statuses: tuple[str, ...] = ()  # connection_status of the platform's Connection/ConnectionV2 nodes
    similar: float = 0.0  # best SIMILAR_TO score between them (current runs, either direction)
    mutual: int = 0  # connections they share
    same_community: bool = False  # same GDS `community`
    shared_groups: int = 0  # platform communities (Membership) both belong to
    influence: float | None = None  # B's `influence`
    authored: int = 0  # content B created


@dataclass(frozen=True)
class ViewerFeatures:
    """The viewer's side of one feed call."""

    known: bool = False
    community: int | None = None
    active_hours: tuple[float, ...] = ()
    # learned preference: decayed engagement weight per kind (post_type, else content_type), recent engagements
    kind_weights: dict[str, float] = field(default_factory=dict)
    connections: int = 0
    tie_weight_out: float = 0.0  # decayed VISITED + VIBED weight the viewer gave
    authored: int = 0
    similar_users: int = 0
    from_snapshot: bool = False  # the viewer's side came from a viewer snapshot (graph/feed/viewers.py)


@dataclass(slots=True)  # not frozen: a call builds hundreds, and frozen instances are slower to make
class CandidateFeatures:
    """One candidate as the graph knows it (absent from the graph: `found` is False, everything else empty)."""

    found: bool = False
    kind: str | None = None
    created_at: datetime | None = None
    engagers: int = 0  # ENGAGED_WITH relationships into the content (all of them)
    sample_n: int = 0  # engagers read (at most `sample_edges`)
    sample_weight: float = 0.0  # their decayed weight
    sample_duration: float = 0.0  # their duration_seconds
    sample_scroll_sum: float = 0.0  # their scroll_depth_sum
    sample_scroll_n: float = 0.0  # their scroll_depth_n
    community_weight: float = 0.0  # decayed weight from sampled engagers in the viewer's community
    similar_users_weight: float = 0.0  # sum over the viewer's similar users: similarity x decayed weight
    content_similarity: float = 0.0  # best SIMILAR_TO score to content the viewer engaged with
    author_id: str | None = None
    tie: TieFeatures | None = None  # viewer -> author


@dataclass(frozen=True)
class Strength:
    """Connection strength from `user_id` to `other_id`: `total` in [0, 1], each component in [0, 1], and the
    raw values they come from."""

    user_id: str
    other_id: str
    total: float
    components: dict[str, float]
    raw: dict[str, float]
    known: bool  # both users exist in the graph
