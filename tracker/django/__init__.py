"""Django integration: add ``"tracker.django"`` to ``INSTALLED_APPS`` (and the middleware to ``MIDDLEWARE``).

What it gives, each switchable in ``settings.ACTIVITY_TRACKER`` (see :mod:`tracker.django.conf`): the
flusher started with the app, ``user_activity`` rows on login and logout, rows on ``post_save`` of the models
listed in ``MODEL_SAVES``, and :class:`tracker.django.middleware.ActivityTrackingMiddleware` for page views
and ``session_activity``.
"""
