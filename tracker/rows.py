"""Row pieces shared by the builders and the spool: uids, text columns, metadata, COPY text lines.

The COPY text line is the spool's format (and the Celery task's): the flusher streams fresh rows with binary
COPY (:mod:`tracker.binary`) and formats a text line only for rows that go to the spool, wait for a
``Users.uid`` to resolve, or are replayed.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from tracker.errors import MissingValue
from tracker.normalize import (
    NULL,
    Notes,
    UidRef,
    as_text,
    copy_text,
    encode_json,
    fit_text,
    sanitize,
)
from tracker.tables import Column, Kind, Table

UID_PLACEHOLDER = b"@uid:"
# session_activity rows are keyed by (user, session id): their uid is derived, so that every event of a
# session lands on the same row and replays merge instead of adding rows.
SESSION_NAMESPACE = uuid.UUID("6f1f3c0e-3b0e-4a53-9a51-7a1c2a0d9e11")


_bits = random.getrandbits  # the module's generator: seeded from os.urandom, re-seeded in forked children
_V4_CLEAR = 0xFFFFFFFF_FFFF_0FFF_3FFF_FFFFFFFFFFFF
_V4_SET = 0x4000_8000_000000000000


def new_uid() -> str:
    """A random (version 4) UUID as text, in a third of ``str(uuid.uuid4())``'s time and without a system call.

    Unpredictability is not needed (it is an idempotency key, not a secret); uniqueness is: 122 random bits
    from a generator seeded by the OS per process (``random`` re-seeds itself after ``fork``).
    """
    h = f"{_bits(128) & _V4_CLEAR | _V4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _iso_us(us: int) -> str:
    return (_EPOCH + dt.timedelta(microseconds=us)).isoformat()


def _user(value: object) -> str:
    if type(value) is int:
        return str(value)
    assert isinstance(value, UidRef)
    return (UID_PLACEHOLDER + value.uid.encode()).decode()


_ESCAPED: dict[str, tuple[int, ...]] = {}


def escaped_columns(table: Table) -> tuple[int, ...]:
    """Positions of the text and jsonb columns: the only values that may need COPY escaping."""
    out = _ESCAPED.get(table.name)
    if out is None:
        out = _ESCAPED[table.name] = tuple(
            i for i, c in enumerate(table.columns) if c.kind in (Kind.TEXT, Kind.JSON)
        )
    return out


def text(table: Table, column: Column, value: object, notes: Notes) -> str | None:
    """A text column's value under the varchar, NOT NULL and off-list rules."""
    if value is None:
        if not column.nullable:
            raise MissingValue(f"{table.name}.{column.name} is required (NOT NULL) and was None")
        return None
    out = fit_text(as_text(value), column.max_length, column.name, notes)
    if column.choices is not None and out not in column.choices:
        notes.count(f"off_list:{table.name}.{column.name}={out[:60]}")
    return out


TextRule = Callable[[object, Notes], "str | None"]


def text_rule(table: Table, name: str) -> TextRule:
    """:func:`text` for one column, with a fast path for the common value: a str from the platform's list,
    or a short ASCII str without NUL (one set lookup or three C checks instead of four Python calls)."""
    column = table.by_name[name]
    limit, choices = column.max_length, column.choices
    off_list = f"off_list:{table.name}.{name}="

    def rule(value: object, notes: Notes) -> str | None:
        if type(value) is str:
            if choices is not None and value in choices:
                return value
            if (limit is None or len(value) <= limit) and value.isascii() and "\x00" not in value:
                if choices is not None:
                    notes.count(off_list + value[:60])
                return value
        return text(table, column, value, notes)

    return rule


def metadata_text(metadata: dict[str, Any], notes: Notes) -> str:
    """The metadata column: the caller's dict, plus ``_tracker`` when a rule changed something."""
    extra = notes.as_metadata() if notes else None
    obj = {**metadata, "_tracker": extra} if extra else metadata
    out, coerced = encode_json(obj, notes)
    if coerced:
        notes.coerced = True
        notes.count("metadata_coerced")
        clean = sanitize(metadata)
        out, _ = encode_json({**clean, "_tracker": notes.as_metadata()}, None)
    return out


def line(table: Table, values: Sequence[object], notes: Notes) -> tuple[bytes, bool]:
    """The COPY line of one row and whether it still names a user by ``Users.uid``.

    Values arrive normalized (:mod:`tracker.build`): text (uid, inet, text, JSON text), times as integer
    microseconds since the Unix epoch (or ISO text), int, float, bool, None or a :class:`UidRef`. Only
    text/jsonb columns can hold tabs, newlines or backslashes; the rest is a type dispatch inline.
    """
    fields: list[Any] = list(values)
    for i in table.ts_columns:
        v = fields[i]
        if type(v) is int:
            fields[i] = _iso_us(v)
    for i in escaped_columns(table):
        v = fields[i]
        if v is not None and ("\\" in v or "\t" in v or "\n" in v or "\r" in v):
            fields[i] = copy_text(v)
    pending = False
    for i, v in enumerate(fields):
        if type(v) is str:
            continue
        if v is None:
            fields[i] = NULL
        elif v is True:
            fields[i] = "t"
        elif v is False:
            fields[i] = "f"
        elif type(v) is int:
            fields[i] = str(v)
        elif type(v) is float:
            fields[i] = repr(v)
        elif type(v) is UidRef:
            fields[i] = _user(v)
            pending = True
        else:
            fields[i] = str(v)
    joined = "\t".join(fields) + "\n"
    try:
        return joined.encode(), pending
    except UnicodeEncodeError:  # lone surrogates: not storable in UTF-8
        notes.count("invalid_unicode")
        return joined.encode("utf-8", "replace"), pending


def session_uid(user_key: str, session_id: str) -> str:
    return str(uuid.uuid5(SESSION_NAMESPACE, f"{user_key}:{session_id}"))


def substitute_users(table: Table, raw: bytes, found: dict[str, int]) -> tuple[bytes | None, list[str]]:
    """Replace ``@uid:`` placeholders by Django ids; returns (line or None, uids not found)."""
    fields = raw.rstrip(b"\n").split(b"\t")
    missing: list[str] = []
    for i in table.user_columns:
        value = fields[i]
        if value.startswith(UID_PLACEHOLDER):
            uid = value[len(UID_PLACEHOLDER) :].decode()
            user_id = found.get(uid)
            if user_id is None:
                missing.append(uid)
            else:
                fields[i] = str(user_id).encode()
    if missing:
        return None, missing
    return b"\t".join(fields) + b"\n", []


def placeholder_uids(table: Table, raw: bytes) -> list[str]:
    fields = raw.rstrip(b"\n").split(b"\t")
    return [
        fields[i][len(UID_PLACEHOLDER) :].decode() for i in table.user_columns if fields[i].startswith(UID_PLACEHOLDER)
    ]


def required(value: object, what: str) -> object:
    if value is None:
        raise MissingValue(f"{what} is required and was None")
    return value
