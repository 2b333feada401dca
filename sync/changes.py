"""Graph changes the pure mapping emits and the Neo4j writer applies: the two meet at typed values, not dicts.

Users are ``(:Users {user_id})`` with the Django id as a string. Content nodes are ``NodeRef``s. A row maps
to ``Mapped(changes, notes)`` or to a ``Quarantine``; notes (``UnknownType``, ``Skipped``) are for
``sync status`` and change nothing in the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "ActorRole",
    "Authorship",
    "Change",
    "ConnectionEvent",
    "ConnectionState",
    "EdgeContribution",
    "Impression",
    "MapResult",
    "Mapped",
    "NodeRef",
    "Note",
    "Quarantine",
    "RelType",
    "SessionObservation",
    "Skipped",
    "UnknownType",
    "UserActivityCount",
    "VibeProfileUpdate",
    "VibeTarget",
]

RelType = Literal["VISITED", "ENGAGED_WITH", "VIBED"]
ConnectionState = Literal["requested", "connected", "declined", "removed"]
ActorRole = Literal["requester", "receiver", "unknown"]


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node to MERGE/MATCH: ``(:{label} {k1: v1, ...})`` over ``keys``; ``kind``: the platform's type.

    Users: ``NodeRef("Users", (("user_id", "174"),), "user")``. Platform content: ``NodeRef("Post",
    (("uid", hex32),), "post")``. Anything else: ``NodeRef("Content", (("content_type", t),
    ("content_id", id)), t)``; media use the same generic label with ``content_type`` = the media type.
    """

    label: str
    keys: tuple[tuple[str, str], ...]
    kind: str

    @property
    def key_map(self) -> dict[str, str]:
        """The keys as a dict (for a query parameter)."""
        return dict(self.keys)


@dataclass(frozen=True, slots=True)
class VibeTarget:
    """A vibe's ``target_user_id``, classified but not yet resolved against the graph.

    ``form == "user_id"``: all digits, a Django user id -> ``(:Users {user_id: key})``.
    ``form == "uid"``: 32 hex -> ``(:Users {uid: key})``, else ``(:Community {uid: key})``; the writer
    quarantines the row (reason ``vibe_target_unresolved``) when neither exists.
    """

    form: Literal["user_id", "uid"]
    key: str
    raw: str


@dataclass(frozen=True, slots=True)
class EdgeContribution:
    """One row's share of a weighted, decayed ``(:Users)-[rel_type]->(dst)`` edge.

    The writer folds ``contribution`` at ``at`` into the edge with ``sync.decay`` (``weight``, ``count``,
    ``first_at``, ``last_at``, ``n_<interaction_type>``). ``props`` are the row's raw numbers
    (``duration_seconds``, ``scroll_depth``, ``position_seconds``, ``vibe_score``, ``iq_impact``, ...); the
    writer sums them into the edge's extra properties.
    """

    rel_type: RelType
    src: str
    dst: NodeRef | VibeTarget
    at: datetime
    contribution: float
    interaction_type: str
    props: tuple[tuple[str, float], ...] = ()

    @property
    def prop_map(self) -> dict[str, float]:
        """The extra numbers as a dict."""
        return dict(self.props)


@dataclass(frozen=True, slots=True)
class Impression:
    """A feed impression (``view``, ``metadata.source = 'feed_view'``): counted apart, zero engagement."""

    user: str
    content: NodeRef
    at: datetime
    content_source: str | None = None


@dataclass(frozen=True, slots=True)
class Authorship:
    """``create``: ``user`` made ``content`` at ``at``."""

    user: str
    content: NodeRef
    at: datetime


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """A change of the connection between ``user`` (who acted) and a peer the writer resolves.

    The peer is ``peer_user_id`` (a Django id, from ``social_interaction.target_user_id``) when given; else
    the one of ``peer_uids`` (``Users.uid`` values named in the row's metadata) that is not ``user``; else the
    other end of ``(:Connection {uid: connection_uid})`` in the platform's graph. ``state`` None means the row
    changes details (circle, relation) but not the state. ``actor_role`` says whether ``user`` is the one who
    sent the request, the one who received it, or cannot be told from the row.
    """

    user: str
    state: ConnectionState | None
    at: datetime
    interaction_type: str
    actor_role: ActorRole
    peer_user_id: str | None = None
    peer_uids: tuple[str, ...] = ()
    connection_uid: str | None = None


@dataclass(frozen=True, slots=True)
class UserActivityCount:
    """One event for ``user``'s activity profile: counts by ``activity_type``, active-hours histogram."""

    user: str
    activity_type: str
    hour_of_day: int
    at: datetime
    table: str
    success: bool = True


@dataclass(frozen=True, slots=True)
class SessionObservation:
    """One session for ``user``'s activity profile (count, total and longest length)."""

    user: str
    session_id: str
    at: datetime
    length_seconds: float | None
    session_type: str | None = None
    pages_visited: int | None = None
    actions_performed: int | None = None
    table: str = "session_activity"


@dataclass(frozen=True, slots=True)
class VibeProfileUpdate:
    """A vibe event without VIBED edge (no target, or the receiver's mirror row): ``user``'s vibe profile."""

    user: str
    activity_type: str
    at: datetime
    score: float | None = None
    iq: float | None = None
    aq: float | None = None
    sq: float | None = None
    hq: float | None = None
    vibe_type: str | None = None


Change = (
    EdgeContribution
    | Impression
    | Authorship
    | ConnectionEvent
    | UserActivityCount
    | SessionObservation
    | VibeProfileUpdate
)


@dataclass(frozen=True, slots=True)
class UnknownType:
    """A type value outside the documented vocabulary (the row was still mapped, with the default rule)."""

    table: str
    column: str
    value: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A valid row that deliberately changes nothing (self-visit, twin, failed action); counted by reason."""

    table: str
    row_id: int
    reason: str


Note = UnknownType | Skipped


@dataclass(frozen=True, slots=True)
class Mapped:
    """A row's graph changes and notes (either may be empty)."""

    changes: tuple[Change, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True, slots=True)
class Quarantine:
    """A row that cannot become a correct graph change; ``reason`` is ``"<code>: <detail>"``."""

    table: str
    row_id: int | None
    reason: str

    @property
    def code(self) -> str:
        """The stable part of ``reason`` (for counting by reason)."""
        return self.reason.split(":", 1)[0]


MapResult = Mapped | Quarantine
