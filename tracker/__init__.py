"""Activity tracking for the platform: validate, buffer and batch-write activity rows off the request path.

``from tracker import get_tracker`` (or the drop-in ``tracker.service.ActivityService``); Django projects add
``"tracker.django"`` to ``INSTALLED_APPS``. See docs/tracker.md.
"""

from tracker.api import ActivityTracker, configure, get_tracker
from tracker.errors import InvalidUser, MissingValue, TrackingError, UnresolvableUser, WriterUnavailable
from tracker.settings import TrackerSettings

__all__ = [
    "ActivityTracker",
    "InvalidUser",
    "MissingValue",
    "TrackerSettings",
    "TrackingError",
    "UnresolvableUser",
    "WriterUnavailable",
    "configure",
    "get_tracker",
]
