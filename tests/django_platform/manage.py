#!/usr/bin/env python
"""Entry point of the test-only Django project that stands in for the platform's schema.

Run from anywhere, e.g. ``python tests/django_platform/manage.py migrate``; the database comes from
``PLATFORM_DATABASE_URL`` or ``DATABASE_URL`` (see ``settings.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    here = Path(__file__).resolve().parent
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
