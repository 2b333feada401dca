"""PostgreSQL binary COPY encoding (and decoding, for tests), for the few types the activity tables use.

Why binary: it is the cheapest format for both sides. Python packs integers and timestamps with
`struct` instead of formatting them as text, and the server skips parsing timestamps, UUIDs, floats and
inet values (jsonb is still parsed: its binary form is a version byte followed by the JSON text).
Every field is a 4-byte big-endian length followed by the value; NULL is length -1.

Reference: https://www.postgresql.org/docs/15/sql-copy.html (Binary Format) and each type's `*_send`.
"""

from __future__ import annotations

import ipaddress
import json
import struct
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Final

#: File header (signature, flags, header-extension length) and trailer (field count -1).
HEADER: Final = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER: Final = b"\xff\xff"

NULL: Final = b"\xff\xff\xff\xff"
TRUE: Final = b"\x00\x00\x00\x01\x01"
FALSE: Final = b"\x00\x00\x00\x01\x00"

#: Postgres timestamps count microseconds from 2000-01-01 00:00 UTC.
PG_EPOCH_UNIX: Final = 946_684_800
_PG_EPOCH: Final = datetime(2000, 1, 1, tzinfo=timezone.utc)

_LEN: Final = struct.Struct("!i")
_INT4: Final = struct.Struct("!ii")
_INT8: Final = struct.Struct("!iq")
_FLOAT8: Final = struct.Struct("!id")
_TS3: Final = struct.Struct("!iqiqiq")


def ncols(n: int) -> bytes:
    """The per-row tuple header: the number of fields."""
    return struct.pack("!h", n)


def int4(value: int) -> bytes:
    return _INT4.pack(4, value)


def int8(value: int) -> bytes:
    return _INT8.pack(8, value)


def float8(value: float) -> bytes:
    return _FLOAT8.pack(8, value)


def ts(us: int) -> bytes:
    """A timestamptz given as microseconds since the Postgres epoch."""
    return _INT8.pack(8, us)


def ts3(a: int, b: int, c: int) -> bytes:
    """Three consecutive timestamptz fields (created_at, updated_at, timestamp) in one pack."""
    return _TS3.pack(8, a, 8, b, 8, c)


def text(value: str) -> bytes:
    data = value.encode()
    return _LEN.pack(len(data)) + data


def jsonb(json_text: str) -> bytes:
    """jsonb's binary form: version 1, then the JSON text (the server validates it)."""
    data = json_text.encode()
    return _LEN.pack(len(data) + 1) + b"\x01" + data


def uuid_field(value: int) -> bytes:
    return b"\x00\x00\x00\x10" + value.to_bytes(16, "big")


def inet(address: str) -> bytes:
    """inet: family (2 = v4, 3 = v6 in Postgres' own numbering), bits, is_cidr, length, address."""
    ip = ipaddress.ip_address(address)
    packed = ip.packed
    family = 2 if ip.version == 4 else 3
    return _LEN.pack(4 + len(packed)) + bytes((family, ip.max_prefixlen, 0, len(packed))) + packed


def date_field(days_since_unix_epoch: int) -> bytes:
    """date: days since 2000-01-01."""
    return _INT4.pack(4, days_since_unix_epoch - 10_957)


def unix_to_pg_us(unix_seconds: float) -> int:
    return round((unix_seconds - PG_EPOCH_UNIX) * 1_000_000)


def pg_us_to_datetime(us: int) -> datetime:
    return _PG_EPOCH + timedelta(microseconds=us)


# --- decoding (tests and debugging: read back exactly the bytes that go to the server) ----------------

Decoder = Callable[[bytes], object]


def _dec_text(b: bytes) -> object:
    return b.decode()


def _dec_int(b: bytes) -> object:
    return int.from_bytes(b, "big", signed=True)


def _dec_float8(b: bytes) -> object:
    return float(struct.unpack("!d", b)[0])


def _dec_bool(b: bytes) -> object:
    return b == b"\x01"


def _dec_ts(b: bytes) -> object:
    return pg_us_to_datetime(int.from_bytes(b, "big", signed=True))


def _dec_date(b: bytes) -> object:
    return date(2000, 1, 1) + timedelta(days=int.from_bytes(b, "big", signed=True))


def _dec_uuid(b: bytes) -> object:
    return uuid.UUID(bytes=b)


def _dec_jsonb(b: bytes) -> object:
    if b[:1] != b"\x01":
        raise ValueError("unknown jsonb binary version")
    return json.loads(b[1:].decode())


def _dec_inet(b: bytes) -> object:
    return str(ipaddress.ip_address(b[4:]))


DECODERS: Final[dict[str, Decoder]] = {
    "text": _dec_text,
    "int4": _dec_int,
    "int8": _dec_int,
    "float8": _dec_float8,
    "bool": _dec_bool,
    "timestamptz": _dec_ts,
    "date": _dec_date,
    "uuid": _dec_uuid,
    "jsonb": _dec_jsonb,
    "inet": _dec_inet,
}


def decode_rows(data: bytes, types: Sequence[str], *, with_header: bool = False) -> Iterator[tuple[object, ...]]:
    """Decode binary COPY tuples (as written by the generator) into Python values, type by type."""
    pos = 0
    if with_header:
        if not data.startswith(HEADER):
            raise ValueError("not a binary COPY stream")
        pos = len(HEADER)
    decoders = [DECODERS[t] for t in types]
    n = len(data)
    while pos < n:
        (count,) = struct.unpack_from("!h", data, pos)
        pos += 2
        if count == -1:
            return
        if count != len(decoders):
            raise ValueError(f"row has {count} fields, expected {len(decoders)}")
        values: list[object] = []
        for dec in decoders:
            (length,) = _LEN.unpack_from(data, pos)
            pos += 4
            if length < 0:
                values.append(None)
            else:
                values.append(dec(data[pos : pos + length]))
                pos += length
        yield tuple(values)
