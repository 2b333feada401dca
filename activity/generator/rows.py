"""Row builders: one function per table that turns values into the binary COPY bytes of one row.

The bytes exclude the tuple header and the `id` field: ids are given after a day's rows are sorted by
time (see `batch.py`), so ids follow timestamps as they do on the platform. Builders take values that
are cheap to pass (ints, strings, pre-encoded per-user bytes) and do the least work per row: this is
the generator's hot path, and at 200k rows/s every microsecond per row is a fifth of the budget.
"""

from __future__ import annotations

import struct
from typing import Final

from .pgbinary import FALSE, NULL, TRUE, jsonb, text

_TS3: Final = struct.Struct("!iqiqiq")
_TS1: Final = struct.Struct("!iq")
_I4: Final = struct.Struct("!ii")
_F8: Final = struct.Struct("!id")
_LEN: Final = struct.Struct("!i")
# uid as two 64-bit halves with uuid4's version (high half) and variant (low half) bits.
_HEAD: Final = struct.Struct("!iQQiqiqiq")
_HI_CLEAR: Final = 0xFFFF_FFFF_FFFF_0FFF
_HI_SET: Final = 0x4000
_LO_MASK: Final = (1 << 62) - 1
_LO_SET: Final = 1 << 63


class _TextCache(dict[str, bytes]):
    """Encoded text fields of the fixed vocabularies, built on first use."""

    def __missing__(self, key: str) -> bytes:
        value = text(key)
        self[key] = value
        return value


T: Final = _TextCache()


def txt(value: str | None) -> bytes:
    """A text field that is not from a fixed vocabulary (ids, urls); None -> NULL."""
    if value is None:
        return NULL
    data = value.encode()
    return _LEN.pack(len(data)) + data


def i4(value: int | None) -> bytes:
    return NULL if value is None else _I4.pack(4, value)


def f8(value: float | None) -> bytes:
    return NULL if value is None else _F8.pack(8, value)


def ts1(us: int | None) -> bytes:
    return NULL if us is None else _TS1.pack(8, us)


def head(uid: int, ts_us: int, ip_ua: bytes, metadata: str, updated_us: int | None = None) -> bytes:
    """uid, created_at, updated_at, timestamp, ip_address, user_agent, metadata (jsonb).

    `uid` is any 128 random bits; uuid4's version and variant bits are set here. created_at and
    updated_at are the server's clock at save, a fraction of a millisecond after the client-side
    `timestamp`; the offset is derived from the timestamp to avoid another random draw. A row the
    platform saves again later (a session, closed at its end) passes that time as `updated_us`.
    """
    saved = ts_us + 150 + (ts_us & 0x3FF)
    updated = saved if updated_us is None else updated_us
    meta = metadata.encode()
    return (
        _HEAD.pack(16, ((uid >> 64) & _HI_CLEAR) | _HI_SET, (uid & _LO_MASK) | _LO_SET, 8, saved, 8, updated, 8, ts_us)
        + ip_ua
        + _LEN.pack(len(meta) + 1)
        + b"\x01"
        + meta
    )


def user_activity(
    uid: int, ts_us: int, ip_ua: bytes, metadata: str, activity_type: str, description: str | None,
    success: bool, user: bytes,
) -> bytes:  # fmt: skip
    return b"".join(
        (head(uid, ts_us, ip_ua, metadata), T[activity_type], txt(description), TRUE if success else FALSE, user)
    )


def content_interaction(
    uid: int, ts_us: int, ip_ua: bytes, metadata: str, content_type: str, content_id: str,
    interaction_type: str, duration: int | None, scroll: float | None, user: bytes,
) -> bytes:  # fmt: skip
    return b"".join(
        (
            head(uid, ts_us, ip_ua, metadata),
            T[content_type],
            txt(content_id),
            T[interaction_type],
            i4(duration),
            f8(scroll),
            user,
        )
    )


def social_interaction(
    uid: int, ts_us: int, ip_ua: bytes, metadata: str, interaction_type: str, context_type: str | None,
    context_id: str | None, target: int | None, user: bytes,
) -> bytes:  # fmt: skip
    return b"".join(
        (
            head(uid, ts_us, ip_ua, metadata),
            T[interaction_type],
            NULL if context_type is None else T[context_type],
            txt(context_id),
            i4(target),
            user,
        )
    )


def profile_activity(
    uid: int, ts_us: int, ip_ua: bytes, metadata: str, activity_type: str, duration: int | None,
    owner: int, visitor: bytes,
) -> bytes:  # fmt: skip
    return b"".join((head(uid, ts_us, ip_ua, metadata), T[activity_type], i4(duration), _I4.pack(4, owner), visitor))


def media_interaction(
    uid: int, ts_us: int, ip_ua: bytes, metadata: str, media_type: str, media_id: str, media_url: str | None,
    interaction_type: str, duration: int | None, position: int | None, user: bytes,
) -> bytes:  # fmt: skip
    return b"".join(
        (
            head(uid, ts_us, ip_ua, metadata),
            T[media_type],
            txt(media_id),
            txt(media_url),
            T[interaction_type],
            i4(duration),
            i4(position),
            user,
        )
    )


def session_activity(
    uid: int, ts_us: int, ip_ua: bytes, metadata: str, session_id: str, session_type: str, start_us: int,
    end_us: int | None, duration: int | None, pages: int, actions: int, device_info: str, location: str,
    referrer: str | None, exit_page: str | None, user: bytes,
) -> bytes:  # fmt: skip
    return b"".join(
        (
            head(uid, ts_us, ip_ua, metadata, end_us),
            txt(session_id),
            T[session_type],
            ts1(start_us),
            ts1(end_us),
            i4(duration),
            _I4.pack(4, pages),
            _I4.pack(4, actions),
            jsonb(device_info),
            jsonb(location),
            txt(referrer),
            txt(exit_page),
            user,
        )
    )


def activity_aggregation(
    aggregation_type: str, day_field: bytes, counts: str, score: float, created_us: int, user: bytes
) -> bytes:
    return b"".join(
        (T[aggregation_type], day_field, jsonb(counts), _F8.pack(8, score), _TS1.pack(8, created_us) * 2, user)
    )


def vibe_activity(
    uid: int, ts_us: int, ip_ua: bytes, metadata: str, activity_type: str, vibe_type: str, vibe_id: str,
    vibe_name: str | None, vibe_category: str | None, target: str | None, score: float | None,
    impacts: tuple[float | None, float | None, float | None, float | None], success: bool,
    error_message: str | None, user: bytes,
) -> bytes:  # fmt: skip
    return b"".join(
        (
            head(uid, ts_us, ip_ua, metadata),
            T[activity_type],
            T[vibe_type],
            txt(vibe_id),
            NULL if vibe_name is None else T[vibe_name],
            NULL if vibe_category is None else T[vibe_category],
            txt(target),
            f8(score),
            f8(impacts[0]),
            f8(impacts[1]),
            f8(impacts[2]),
            f8(impacts[3]),
            TRUE if success else FALSE,
            txt(error_message),
            user,
        )
    )
