"""Binary COPY of normalized rows: psycopg's ``Copy.set_types`` + ``write_row``, with four small dumpers.

Why binary: the server skips parsing text (three timestamps, a uuid, numbers per row) and the client skips
formatting it; psycopg's C row formatter does the rest. The rows come from :mod:`tracker.build` with values
chosen to be cheap to send: text, int, float, bool and None go through psycopg's own (C) dumpers; the four
kinds psycopg would want as Python objects (``uuid.UUID``, ``datetime``, ``ipaddress``, ``Jsonb``) arrive as
uid text, integer microseconds, address text and JSON text, and the dumpers below write their wire format
directly. They are registered by oid only, on the tracker's own connection,
so they apply to ``set_types`` lookups and nothing else.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.postgres import types as pg_types
from psycopg.pq import Format

from tracker.tables import Kind, Table

_PG_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01, Postgres' epoch, in Unix microseconds
_Q = struct.Struct("!q").pack

WIRE_TYPE = {
    Kind.UUID: "uuid",
    Kind.TS: "timestamptz",
    Kind.INET: "inet",
    Kind.TEXT: "text",
    Kind.JSON: "jsonb",
    Kind.INT: "int4",
    Kind.FLOAT: "float8",
    Kind.BOOL: "bool",
    Kind.USER: "int4",
}


def wire_types(table: Table) -> list[str]:
    return [WIRE_TYPE[c.kind] for c in table.columns]


class UidTextDumper(Dumper):
    """``uuid`` from its text form (``8-4-4-4-12`` hex)."""

    format = Format.BINARY
    oid = pg_types["uuid"].oid

    def dump(self, obj: Any) -> bytes:
        return bytes.fromhex(obj.replace("-", ""))


class MicrosDumper(Dumper):
    """``timestamptz`` from integer microseconds since the Unix epoch."""

    format = Format.BINARY
    oid = pg_types["timestamptz"].oid

    def dump(self, obj: Any) -> bytes:
        return _Q(obj - _PG_EPOCH_US)


@lru_cache(maxsize=8192)
def _inet(text: str) -> bytes:
    addr = ipaddress.ip_address(text)
    if addr.version == 4:
        return b"\x02\x20\x00\x04" + addr.packed  # PGSQL_AF_INET, 32 bits, not cidr, 4 bytes
    return b"\x03\x80\x00\x10" + addr.packed  # PGSQL_AF_INET6, 128 bits, not cidr, 16 bytes


class InetTextDumper(Dumper):
    """``inet`` from an address already validated by :func:`tracker.normalize.clean_ip`."""

    format = Format.BINARY
    oid = pg_types["inet"].oid

    def dump(self, obj: Any) -> bytes:
        return _inet(obj)


class JsonTextDumper(Dumper):
    """``jsonb`` from JSON text (version byte 1, then the text)."""

    format = Format.BINARY
    oid = pg_types["jsonb"].oid

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + str(obj).encode()


class _ByOidOnly:
    """Never a value: registering the dumpers for this class only adds them to the by-oid lookup, which is
    what ``set_types`` uses (``register_dumper(None, ...)`` does the same on recent psycopg versions)."""


def register(conn: psycopg.Connection[Any]) -> None:
    """Make ``set_types`` on this connection use the dumpers above."""
    for dumper in (UidTextDumper, MicrosDumper, InetTextDumper, JsonTextDumper):
        conn.adapters.register_dumper(_ByOidOnly, dumper)


def copy_rows(cur: psycopg.Cursor[Any], target: str, table: Table, rows: Sequence[Sequence[object]]) -> None:
    """``COPY target (columns) FROM STDIN (FORMAT BINARY)`` of the rows, one ``write_row`` each."""
    with cur.copy(f"COPY {target} ({table.quoted_columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(wire_types(table))
        write = copy.write_row
        for row in rows:
            write(row)
