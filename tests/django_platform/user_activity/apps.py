from __future__ import annotations

from django.apps import AppConfig


class UserActivityConfig(AppConfig):
    name = "user_activity"
    label = "user_activity"
    default_auto_field = "django.db.models.BigAutoField"
