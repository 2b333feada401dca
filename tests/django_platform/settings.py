"""Settings of the test-only Django 4.2 project that recreates the platform's activity tables.

Only what ``migrate`` needs: ``auth`` (for ``auth_user``), ``contenttypes`` (auth depends on it) and
our own ``user_activity`` app, whose models declare the eight tables the way the platform does
(Django 4.2, ``BigAutoField`` ids, the stock ``auth.User``).

The database is taken, first match wins, from

1. ``PLATFORM_DATABASE_URL`` - lets a test point migrate at a scratch database without touching
   the layer's own ``DATABASE_URL``;
2. ``DATABASE_URL`` - the platform reads the same variable the same way
   (``postgresql://user:password@host:port/name``);
3. the libpq variables ``PGDATABASE``, ``PGUSER``, ``PGPASSWORD``, ``PGHOST``, ``PGPORT``.

Each of NAME/USER/PASSWORD/HOST/PORT can then be overridden with ``PLATFORM_DB_NAME``,
``PLATFORM_DB_USER``, ``PLATFORM_DB_PASSWORD``, ``PLATFORM_DB_HOST``, ``PLATFORM_DB_PORT``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent


def _database_from_env() -> dict[str, str]:
    url = os.environ.get("PLATFORM_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        parts = urlparse(url)
        db = {
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    else:
        db = {
            "NAME": os.environ.get("PGDATABASE", "postgres"),
            "USER": os.environ.get("PGUSER", ""),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "HOST": os.environ.get("PGHOST", ""),
            "PORT": os.environ.get("PGPORT", ""),
        }
    for key in db:
        override = os.environ.get(f"PLATFORM_DB_{key}")
        if override is not None:
            db[key] = override
    return db


SECRET_KEY = "test-only-django-platform-not-secret"  # never used outside tests
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "user_activity",
]

DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", **_database_from_env()}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
