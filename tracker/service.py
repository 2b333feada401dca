"""Drop-in ``ActivityService`` and ``VibeActivityService`` for the platform's call sites.

Why: the platform calls these classes both ways — ``ActivityService.track_content_interaction(...)``
(static) and ``ActivityService().track_social_interaction(...)`` (instance) — and tests their results for
truth. Re-exporting these from ``user_activity/services/activity_service.py`` and
``vibe_manager/services/vibe_activity_service.py`` (or changing the import) switches every call site to the
tracker. Every method is a staticmethod (callable on the class or an instance), delegates to the process's
tracker, never raises (unless the tracker is ``strict``), and returns what the platform's returned in
spirit: ``True``/``False`` where it returned a bool, the new row's ``uid`` (truthy) or None where it returned
the created model instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.api import get_tracker


class ActivityService:
    """The platform's ``user_activity.services.activity_service.ActivityService`` surface."""

    def __init__(self) -> None:
        self.cache_timeout = 300  # kept: some call sites read it

    @staticmethod
    def track_content_interaction_by_id(
        user_id: object, content_type: object, interaction_type: object, content_id: object = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> bool:
        return get_tracker().track_content_interaction_by_id(
            user_id, content_type, interaction_type, content_id, metadata
        ) is not None

    @staticmethod
    def track_activity_async(
        user: object, activity_type: object, description: object = None, success: object = True,
        ip_address: object = None, user_agent: object = None, metadata: Mapping[str, Any] | None = None,
    ) -> bool:
        return get_tracker().track_activity(
            user, activity_type, description, success, ip_address, user_agent, metadata
        ) is not None

    @staticmethod
    def track_activity_sync(
        user: object, activity_type: object, description: object = None, success: object = True,
        ip_address: object = None, user_agent: object = None, metadata: Mapping[str, Any] | None = None,
    ) -> str | None:
        return get_tracker().track_activity(user, activity_type, description, success, ip_address, user_agent, metadata)

    @staticmethod
    def track_content_interaction(
        user: object, content_type: object, content_id: object, interaction_type: object, **kwargs: Any
    ) -> str | None:
        return get_tracker().track_content_interaction(user, content_type, content_id, interaction_type, **kwargs)

    @staticmethod
    def track_profile_activity(
        visitor: object, profile_owner: object, activity_type: object, duration_seconds: object = None,
        ip_address: object = None, user_agent: object = None, metadata: Mapping[str, Any] | None = None,
    ) -> bool:
        return get_tracker().track_profile_activity(
            visitor, profile_owner, activity_type, duration_seconds, ip_address, user_agent, metadata
        ) is not None

    @staticmethod
    def track_media_interaction(
        user: object, media_type: object, media_id: object, interaction_type: object,
        duration_seconds: object = None, position_seconds: object = None, media_url: object = None,
        ip_address: object = None, user_agent: object = None, metadata: Mapping[str, Any] | None = None,
    ) -> bool:
        return get_tracker().track_media_interaction(
            user, media_type, media_id, interaction_type, duration_seconds, position_seconds, media_url,
            ip_address, user_agent, metadata,
        ) is not None

    @staticmethod
    def track_social_interaction(
        user: object, target_user: object = None, interaction_type: object = None, context_type: object = None,
        context_id: object = None, ip_address: object = None, user_agent: object = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> bool:
        return get_tracker().track_social_interaction(
            user, target_user, interaction_type, context_type, context_id, ip_address, user_agent, metadata
        ) is not None

    @staticmethod
    def track_profile_visit(
        visitor: object, profile_owner: object, duration_seconds: object = None, ip_address: object = None,
        user_agent: object = None, metadata: Mapping[str, Any] | None = None,
    ) -> bool:
        return get_tracker().track_profile_visit(
            visitor, profile_owner, duration_seconds, ip_address, user_agent, metadata
        ) is not None

    # The write-up's remaining operations (user_activity's GraphQL mutations, the analytics app's).

    @staticmethod
    def track_scroll_depth(user: object, post_id: object, depth: object, content_type: object = "post",
                           **kwargs: Any) -> bool:
        return get_tracker().track_scroll_depth(user, post_id, depth, content_type, **kwargs) is not None

    @staticmethod
    def track_time_spent(user: object, content_id: object, time_ms: object, content_type: object,
                         **kwargs: Any) -> bool:
        return get_tracker().track_time_spent(user, content_id, time_ms, content_type, **kwargs) is not None

    @staticmethod
    def track_app_session(user: object, session_data: object, **kwargs: Any) -> bool:
        return get_tracker().track_app_session(user, session_data, **kwargs) is not None


class VibeActivityService:
    """The platform's ``vibe_manager.services.vibe_activity_service.VibeActivityService`` surface."""

    @staticmethod
    def track_vibe_creation(
        user: object, vibe_data: Mapping[str, Any] | None, success: object = True, error_message: object = None,
        **kwargs: Any,
    ) -> str | None:
        return get_tracker().track_vibe_creation(user, vibe_data, success, error_message, **kwargs)

    @staticmethod
    def track_vibe_sending(
        sender: object, receiver_id: object, vibe_data: Mapping[str, Any] | None, vibe_score: object,
        score_impacts: Mapping[str, Any] | None = None, success: object = True, error_message: object = None,
        **kwargs: Any,
    ) -> tuple[str | None, str | None]:
        return get_tracker().track_vibe_sending(
            sender, receiver_id, vibe_data, vibe_score, score_impacts, success, error_message, **kwargs
        )

    @staticmethod
    def track_vibe_view(
        user: object, vibe_data: Mapping[str, Any] | None, duration_seconds: object = None, **kwargs: Any
    ) -> str | None:
        return get_tracker().track_vibe_view(user, vibe_data, duration_seconds, **kwargs)

    @staticmethod
    def track_vibe_search(user: object, search_query: object, results_count: object = 0, **kwargs: Any) -> (
        str | None
    ):
        return get_tracker().track_vibe_search(user, search_query, results_count, **kwargs)

    @staticmethod
    def track_vibe_viewing(
        user: object, vibe_data: Mapping[str, Any] | None, duration_seconds: object = None,
        ip_address: object = None, user_agent: object = None,
    ) -> str | None:
        return get_tracker().track_vibe_viewing(user, vibe_data, duration_seconds, ip_address, user_agent)
