"""A tiny Django 4.2 project that installs ``tracker.django`` as the platform would, for the tests.

The database is ``TRACKER_TEST_DATABASE_URL`` (a scratch database with the activity schema, whose minimal
``auth_user`` is all ``django.contrib.auth`` needs here: no migrations run). Sessions are signed cookies, so
no session table is needed either. ``TRACKER_TEST_OVERRIDES`` (JSON) is merged into ``ACTIVITY_TRACKER`` to
switch hooks off.
"""

from __future__ import annotations

import json
import os
from urllib.parse import unquote, urlparse

_url = urlparse(os.environ["TRACKER_TEST_DATABASE_URL"])

SECRET_KEY = "test-only-django-tracker-not-secret"  # never used outside tests
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "urls"
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "tracker.django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.django.middleware.ActivityTrackingMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(_url.path.lstrip("/")),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
    }
}
ACTIVITY_TRACKER = {
    "SPOOL_DIR": os.environ["TRACKER_TEST_SPOOL_DIR"],
    "STRICT": True,
    "FLUSH_INTERVAL_S": 0.05,
    "MODEL_SAVES": [
        {
            "model": "auth.User",
            "on": "update",
            "table": "user_activity",
            "activity_type": "profile_update",
            "user": "pk",
            "skip_update_fields": ["last_login"],
        }
    ],
    **json.loads(os.environ.get("TRACKER_TEST_OVERRIDES", "{}")),
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
