"""Drive the test project like a browser: log in, browse, act, edit the user, log out; then drain.

Run by tests/integration/test_tracker_django.py in a subprocess (Django settings are process-wide).
Prints one JSON line: the user id, whether everything reached Postgres, and the tracker's counters.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from tracker import get_tracker

    user = User.objects.create_user("alice", password="pw")
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148", REMOTE_ADDR="10.0.0.7")
    assert client.login(username="alice", password="pw")
    assert client.get("/page/", HTTP_REFERER="https://example.com/start").status_code == 200
    assert client.get("/page/").status_code == 200
    assert client.post("/act/").status_code == 200
    user.first_name = "Alice"
    user.save()
    assert client.post("/logout/").status_code == 200
    assert client.get("/page/").status_code == 200  # anonymous now: not tracked
    tracker = get_tracker()
    drained = tracker.drain(30)
    print(json.dumps({"user_id": user.pk, "drained": drained, "stats": tracker.stats.snapshot()}))


if __name__ == "__main__":
    main()
