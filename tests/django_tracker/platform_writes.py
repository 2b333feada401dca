"""Write rows through the platform's own models (tests/django_platform), for comparison with the tracker.

Reads a JSON list of operations on stdin, each ``{"op": "create" | "update_or_create", "model": "...",
"kwargs": {...}, "defaults": {...}}``, and applies them in order with Django 4.2, against
``PLATFORM_DATABASE_URL``. The kwargs are what the platform's ``ActivityService``/``VibeActivityService``
pass to ``objects.create`` (written out in the test), so the rows carry the models' own defaults: uid,
timestamps, ``metadata={}``, ``success=True``, ``session_type='web'``, counters 0, and ``save()``'s duration.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

PLATFORM = Path(__file__).resolve().parents[1] / "django_platform"
sys.path.insert(0, str(PLATFORM))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")


def main() -> None:
    import django

    django.setup()
    from user_activity import models

    for op in json.load(sys.stdin):
        model = getattr(models, op["model"])
        if op["op"] == "create":
            model.objects.create(**op["kwargs"])
        else:
            model.objects.update_or_create(**op["kwargs"], defaults=op.get("defaults", {}))


if __name__ == "__main__":
    main()
