"""Deterministic identifiers: Users.uid, Community.uid, vibe ids, and uuid4-shaped random values.

The platform's Neo4j nodes carry a `uid` that is `uuid4().hex` (32 lower-case hex digits). The generator
needs the same shape, reproducibly: a user's uid must be computable from (user_id, seed) alone, so the
sync, the demo and the tests can build `(:Users {user_id, uid})` nodes without reading generated rows,
and vibe rows that name their target by uid resolve against those nodes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

_V4_CLEAR = ~((0xF << 76) | (0x3 << 62))
_V4_SET = (0x4 << 76) | (0x2 << 62)


def as_uuid4(value: int) -> int:
    """Force the version (4) and variant (RFC 4122) bits of a 128-bit integer, as uuid4() has them."""
    return (value & _V4_CLEAR) | _V4_SET


def _hashed_uid(seed: int, kind: str, n: int) -> str:
    digest = hashlib.blake2b(f"{seed}:{kind}:{n}".encode(), digest_size=16, person=b"activity-graph").digest()
    return f"{as_uuid4(int.from_bytes(digest, 'big')):032x}"


def user_uid(user_id: int, seed: int) -> str:
    """The `Users.uid` of Django user `user_id` in the dataset generated with `seed`.

    Definition: the 128-bit BLAKE2b digest (personalisation "activity-graph") of the text
    "<seed>:user:<user_id>", with uuid4's version and variant bits forced, as 32 lower-case hex digits.
    It depends on the seed so that datasets from different seeds look like different platforms.
    """
    return _hashed_uid(seed, "user", user_id)


def community_uid(index: int, seed: int) -> str:
    """The `Community.uid` of the platform community number `index` (0-based) of the dataset."""
    return _hashed_uid(seed, "community", index)


def vibe_uid(index: int, seed: int) -> str:
    """The id of vibe number `index` in the dataset's vibe catalogue."""
    return _hashed_uid(seed, "vibe", index)


def iter_user_uids(users: int, seed: int, *, first_user_id: int = 1) -> Iterator[tuple[int, str]]:
    """(Django user id, Users.uid) for every generated user: what the sync/demo loads as Users nodes."""
    for user_id in range(first_user_id, first_user_id + users):
        yield user_id, user_uid(user_id, seed)
