"""The app config: builds the process's tracker from Django settings and connects the receivers.

Why in ``ready()``: it runs once per process after settings and models are loaded, which is when the
database settings can be read and ``post_save`` senders imported. The flusher thread starts here (unless
``START_FLUSHER`` is False) so that a spool left by a previous process is replayed without waiting for the
first event; after a fork (gunicorn, Celery prefork) each child restarts its own flusher on first use.
"""

from __future__ import annotations

from django.apps import AppConfig


class ActivityTrackerConfig(AppConfig):  # type: ignore[misc]  # Django ships no type stubs
    name = "tracker.django"
    label = "activity_tracker"
    verbose_name = "Activity tracker"

    def ready(self) -> None:
        from tracker.api import configure
        from tracker.django import conf, signals

        options = conf.options()
        tracker = configure(conf.tracker_settings(), resolver=conf.resolver(options), start=False)
        if not tracker.settings.enabled:
            return
        signals.connect(options)
        if options.start_flusher:
            tracker.start()
