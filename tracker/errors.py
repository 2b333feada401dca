"""Errors a tracking call can be refused with.

Why typed errors: by default a refused event never raises into the request (the platform's call sites
wrap tracking in ``try/except`` and must keep working); it is logged and counted under ``reason``. With
``strict=True`` (tests, development) the same error is raised so a wrong call site shows at once.
"""

from __future__ import annotations


class TrackingError(ValueError):
    """An event the tracker refuses; ``reason`` is the counter it is reported under."""

    reason = "invalid_event"


class InvalidUser(TrackingError):
    """A user reference that is none of: Django id, ``User``, ``Users`` node, ``Users.uid``."""

    reason = "invalid_user"


class UnresolvableUser(TrackingError):
    """A ``Users.uid`` given while no resolver is configured to turn it into a Django id."""

    reason = "unresolvable_user"


class MissingValue(TrackingError):
    """A NOT NULL column (``content_type``, ``interaction_type``...) given as None."""

    reason = "missing_value"


class WriterUnavailable(RuntimeError):
    """Postgres could not be reached or failed outside the data (connection, shutdown, schema, timeout).

    The batch that met it may or may not be committed; it goes to the spool and is replayed with
    ``ON CONFLICT (uid) DO NOTHING``.
    """
