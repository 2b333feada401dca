"""Pure validation and normalization of what call sites pass, with the documented rule for each bad input.

Every rule keeps the event (the platform lost the whole row to each of these), stores something the column
accepts, and leaves a trace: the original value goes to ``metadata["_tracker"]`` and a counter is bumped.
Nothing here is silent, and nothing here does I/O, so the cost inside the request stays in microseconds.

Rules (also in docs/tracker.md):

* user: an ``int``, a digit string, an object with ``.user_id`` (a neomodel ``Users`` node) or ``.pk``/``.id``
  (a Django ``User``) gives the Django id; a 32-hex string (a ``Users.uid``) is kept as :class:`UidRef` and
  resolved later, off the request; anything else (None, AnonymousUser, bool, out of ``integer`` range) is
  refused with :class:`InvalidUser`.
* text longer than its varchar: stored cut to ``limit - 1`` characters plus ``…`` (U+2026), the full value in
  ``metadata._tracker.full.<column>``, counted as ``truncated``.
* NUL characters (Postgres text and jsonb refuse them): replaced by U+FFFD, counted as ``nul_replaced``.
* durations/positions/counters: ``int(value)`` like Django's IntegerField; negative, non-numeric or beyond the
  ``integer`` range: stored NULL, original in ``metadata._tracker.invalid.<column>``, counted.
* floats: NaN, infinities or non-numbers: stored NULL, original in ``_tracker.invalid``.
* ip_address: empty is NULL (as Django); anything ``ipaddress`` does not parse (``unknown``, ``1.2.3.4:80``):
  NULL, original in ``_tracker.invalid.ip_address``.
* metadata not JSON-serializable: datetime/date/time as ISO text, UUID/Decimal as text, Enum as its value,
  sets/tuples as lists, non-string keys as text, NaN/inf and any other object as
  ``{"_unserializable": "<module.Class>", "str": str(value)}``; the row gets ``_tracker.metadata_coerced``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import ipaddress
import json
import math
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tracker.errors import InvalidUser

INT_MAX = 2_147_483_647  # auth_user.id and every counter column are Postgres `integer`
TRUNCATION_MARK = "…"
_HEX32 = re.compile(r"[0-9a-fA-F]{32}\Z")
_DIGITS = re.compile(r"[0-9]{1,10}\Z")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _refuse_default(value: object) -> Any:
    raise TypeError(type(value).__name__)


# The C encoder built once: JSONEncoder.encode builds it on every call, which is half the cost of a small dict.
# No circular-reference markers: a cycle ends in RecursionError, caught below like any unserializable value.
_c_make = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE: Callable[[object, int], Any] | None = (
    _c_make(None, _refuse_default, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    if _c_make is not None
    else None
)


def _dumps(value: object) -> str:
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))
_MAX_DEPTH = 64


@dataclass(frozen=True)
class UidRef:
    """A ``Users.uid`` (32 hex, lower-cased) waiting to be resolved to a Django id by the flusher."""

    uid: str


UserRef = int | UidRef


class Notes:
    """What the rules did to one event; merged into ``metadata["_tracker"]`` only when not empty.

    Allocated per call, so its containers are created only when a rule fires (the common call fires none).
    """

    __slots__ = ("coerced", "counters", "full", "invalid")

    def __init__(self) -> None:
        self.full: dict[str, str] | None = None
        self.invalid: dict[str, Any] | None = None
        self.coerced = False
        self.counters: list[str] | None = None

    def count(self, name: str) -> None:
        if self.counters is None:
            self.counters = [name]
        else:
            self.counters.append(name)

    def keep_full(self, column: str, value: str) -> None:
        if self.full is None:
            self.full = {}
        self.full[column] = value

    def keep_invalid(self, column: str, value: Any) -> None:
        if self.invalid is None:
            self.invalid = {}
        self.invalid[column] = value

    def as_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.full:
            out["full"] = self.full
        if self.invalid:
            out["invalid"] = self.invalid
        if self.coerced:
            out["metadata_coerced"] = True
        return out

    def __bool__(self) -> bool:
        return bool(self.full or self.invalid or self.coerced or self.counters)


# --- users ------------------------------------------------------------------------------------------


def _user_from_int(value: int, role: str) -> int:
    if 0 < value <= INT_MAX:
        return value
    raise InvalidUser(f"{role}: {value} is not a valid Django user id (1..{INT_MAX})")


def user_ref(value: object, role: str = "user") -> UserRef:
    """The Django ``auth_user.id`` a reference names, or a :class:`UidRef` to resolve later.

    Order matters: a neomodel ``Users`` node also has ``.id`` (Neo4j's internal id), so ``.user_id`` is
    looked at before ``.pk``/``.id``, as the platform's own service did.
    """
    if type(value) is int:
        return _user_from_int(value, role)
    if isinstance(value, bool) or value is None:
        raise InvalidUser(f"{role}: {value!r} is not a user")
    if isinstance(value, int):
        return _user_from_int(int(value), role)
    if isinstance(value, str):
        s = value.strip()
        if _DIGITS.match(s):
            return _user_from_int(int(s), role)
        if _HEX32.match(s):
            return UidRef(s.lower())
        raise InvalidUser(
            f"{role}: {value[:80]!r} is neither a Django user id (digits) nor a Users.uid (32 hex characters)"
        )
    node_user_id = getattr(value, "user_id", None)
    if node_user_id is not None:
        return user_ref(node_user_id if isinstance(node_user_id, int | str) else str(node_user_id), role)
    if getattr(value, "is_anonymous", False) is True:
        raise InvalidUser(f"{role}: an anonymous user cannot be tracked")
    pk = getattr(value, "pk", None)
    if pk is None:
        pk = getattr(value, "id", None)
    if isinstance(pk, int | str) and not isinstance(pk, bool):
        return user_ref(pk, role)
    node_uid = getattr(value, "uid", None)
    if isinstance(node_uid, str):
        return user_ref(node_uid, role)
    raise InvalidUser(
        f"{role}: cannot use a {type(value).__name__} as a user "
        "(expected a Django user id, a User, a Users node or a Users.uid)"
    )


# --- text -------------------------------------------------------------------------------------------


def as_text(value: object) -> str:
    """``str(value)``, except an Enum (graphene passes enum members) gives its value."""
    if type(value) is str:
        return value
    if isinstance(value, enum.Enum):
        return as_text(value.value)
    return str(value)


def utf8_safe(value: str, notes: Notes | None) -> str:
    """Text UTF-8 can carry: lone surrogates (not storable, and they would break a binary COPY mid-row) become
    U+FFFD, counted as ``invalid_unicode``."""
    try:
        value.encode()
    except UnicodeEncodeError:
        if notes is not None:
            notes.count("invalid_unicode")
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def fit_text(value: str, limit: int | None, column: str, notes: Notes) -> str:
    """The varchar rule: cut with a visible mark, keep the full text in metadata, count it."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
        notes.count("nul_replaced")
    if not value.isascii():
        value = utf8_safe(value, notes)
    if limit is None or len(value) <= limit:
        return value
    notes.keep_full(column, value)
    notes.count(f"truncated:{column}")
    return value[: limit - 1] + TRUNCATION_MARK


# --- numbers ----------------------------------------------------------------------------------------


def _json_safe(value: object) -> Any:
    return value if isinstance(value, int | str | bool) or value is None else repr(value)


def nonneg_int(value: object, column: str, notes: Notes) -> int | None:
    """Durations, positions, counters: the column has ``CHECK (>= 0)``; a bad value becomes NULL, noted."""
    if value is None:
        return None
    if type(value) is int:
        if 0 <= value <= INT_MAX:
            return value
    elif not isinstance(value, bool):
        try:
            number = float(value) if isinstance(value, str) else value
            if isinstance(number, float) and not math.isfinite(number):
                raise ValueError(number)
            out: int | None = int(number)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            out = None
        if out is not None and 0 <= out <= INT_MAX:
            return out
    notes.keep_invalid(column, _json_safe(value))
    reason = "negative" if isinstance(value, int | float) and not isinstance(value, bool) and value < 0 else "invalid"
    notes.count(f"{reason}_number:{column}")
    return None


def finite_float(value: object, column: str, notes: Notes) -> float | None:
    """Scores and percentages: a finite float or NULL (noted). Values are not range-checked: kept as sent."""
    if value is None:
        return None
    if type(value) is float and math.isfinite(value):
        return value
    if not isinstance(value, bool):
        try:
            out = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            out = math.nan
        if math.isfinite(out):
            return out
    notes.keep_invalid(column, _json_safe(value))
    notes.count(f"invalid_number:{column}")
    return None


# --- ip ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _parse_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def clean_ip(value: object, notes: Notes) -> str | None:
    """``inet``: an unparseable address would make Postgres refuse the whole row; it becomes NULL, noted."""
    if value is None or value == "":
        return None
    text = as_text(value).strip()
    parsed = _parse_ip(text) if len(text) <= 64 else None
    if parsed is None:
        notes.keep_invalid("ip_address", as_text(value)[:200])
        notes.count("invalid_ip")
    return parsed


# --- time -------------------------------------------------------------------------------------------


def aware(value: object, column: str, notes: Notes) -> dt.datetime | None:
    """A timezone-aware datetime: naive ones are taken as UTC, ISO strings parsed; anything else is NULL, noted."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return aware(dt.datetime.fromisoformat(text), column, notes)
        except ValueError:
            pass
    notes.keep_invalid(column, as_text(value)[:200])
    notes.count(f"invalid_time:{column}")
    return None


# --- clock ------------------------------------------------------------------------------------------

_clock: tuple[int, str] = (-1, "")


def utc_now_text() -> str:
    """Now, UTC, as ISO 8601 text with microseconds: ``datetime.now(utc).isoformat()`` at a quarter of the cost
    (the date and time up to the second are formatted once per second; one tuple swap keeps it thread-safe)."""
    global _clock
    now = time.time()
    sec = int(now)
    cached = _clock
    if cached[0] != sec:
        cached = (sec, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)))
        _clock = cached
    return f"{cached[1]}.{int((now - sec) * 1_000_000):06d}+00:00"


# --- metadata ---------------------------------------------------------------------------------------


def _key(key: object) -> str:
    if isinstance(key, str):
        return key.replace("\x00", "\ufffd")
    if key is None or isinstance(key, bool):
        return json.dumps(key)
    if isinstance(key, int | float):
        return _ENCODER.encode(key) if not isinstance(key, float) or math.isfinite(key) else repr(key)
    return as_text(key)


def _marker(value: object) -> dict[str, str]:
    kind = type(value)
    try:
        text = str(value)
    except Exception:  # a broken __str__ must not break tracking
        text = object.__repr__(value)
    return {"_unserializable": f"{kind.__module__}.{kind.__qualname__}", "str": text[:1000]}


def sanitize(value: object, _depth: int = 0, _seen: frozenset[int] = frozenset()) -> Any:
    """A JSON-able copy of ``value`` following the module's metadata rule."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, float):
        return value if math.isfinite(value) else _marker(value)
    if _depth >= _MAX_DEPTH or id(value) in _seen:
        return _marker(value)
    if isinstance(value, Mapping):
        seen = _seen | {id(value)}
        return {_key(k): sanitize(v, _depth + 1, seen) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        seen = _seen | {id(value)}
        return [sanitize(v, _depth + 1, seen) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return sanitize(value.value, _depth + 1, _seen)
    return _marker(value)


def encode_json(value: object, notes: Notes | None) -> tuple[str, bool]:
    """JSON text for a jsonb column and whether the metadata rule had to change anything."""
    try:
        text = _dumps(value)
    except (TypeError, ValueError, RecursionError):
        return _ENCODER.encode(sanitize(value)), True
    if "\\u0000" in text:  # jsonb refuses \u0000
        return _ENCODER.encode(sanitize(value)), True
    if not text.isascii():
        text = utf8_safe(text, notes)
    return text, False


def as_mapping(value: object) -> dict[str, Any]:
    """Metadata as a dict: None is ``{}``; a non-mapping value is kept under ``"value"`` (jsonb is an object)."""
    if value is None:
        return {}
    if type(value) is dict:
        return value
    if isinstance(value, Mapping):
        return dict(value)
    return {"value": value}


# --- COPY text --------------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_text(value: str) -> str:
    """``value`` escaped for COPY's text format (one row per line, tab-separated)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def copy_float(value: float) -> str:
    return repr(value)


def copy_ts(value: dt.datetime) -> str:
    return value.isoformat()
