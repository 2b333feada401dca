"""The platform's type vocabulary per column, so a value never seen before is reported instead of vanishing.

``PLATFORM_CHOICES``: the ``choices`` lists of ``cantdoitbye/backend`` ``user_activity/models.py``.
``OFF_LIST``: values the platform really writes although they are not on its lists (Django does not enforce
``choices`` on ``save()``), with where they come from. A value in neither (and with no weight of its own
in ``sync.weights.Weights``) is mapped by the table's default rule and reported as ``UnknownType``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["OFF_LIST", "PLATFORM_CHOICES", "is_known"]

Column = tuple[str, str]

PLATFORM_CHOICES: Mapping[Column, tuple[str, ...]] = {
    ("user_activity", "activity_type"): (
        "login", "logout", "profile_update", "password_change", "email_change", "account_deactivation",
        "account_reactivation", "settings_update", "privacy_update", "notification_update", "search",
        "navigation", "error", "feature_usage", "post_create", "post_update", "story_create",
        "community_create", "page_view", "session_data", "scroll",
    ),
    ("content_interaction", "content_type"): (
        "post", "story", "comment", "community_post", "review", "connection", "conversation_message",
        "matrix_message",
    ),
    ("content_interaction", "interaction_type"): (
        "view", "like", "unlike", "comment", "share", "save", "unsave", "pin", "unpin", "report", "hide",
        "react", "unreact", "rate", "scroll_depth", "time_spent", "create",
    ),
    ("social_interaction", "interaction_type"): (
        "connection_request", "connection_accept", "connection_decline", "connection_remove", "message_send",
        "message_read", "group_join", "group_leave", "group_invite", "mention", "tag", "recommendation_view",
        "recommendation_dismiss", "profile_visit",
    ),
    ("profile_activity", "activity_type"): (
        "profile_view", "profile_follow", "profile_unfollow", "profile_block", "profile_unblock",
        "profile_report", "profile_message", "profile_share", "achievement_view", "experience_view",
        "posts_browse", "stories_browse",
    ),
    ("media_interaction", "media_type"): (
        "image", "video", "audio", "document", "gif", "thumbnail", "comment_media",
    ),
    ("media_interaction", "interaction_type"): (
        "click", "view", "download", "share", "zoom", "play", "pause", "seek", "fullscreen", "volume_change",
        "quality_change",
    ),
    ("session_activity", "session_type"): ("web", "mobile", "api", "admin"),
    ("vibe_activity", "activity_type"): (
        "vibe_create", "vibe_send", "vibe_receive", "vibe_view", "vibe_search", "vibe_category_browse",
        "vibe_popularity_view", "vibe_score_update",
    ),
    ("vibe_activity", "vibe_type"): ("individual", "community", "brand", "service", "main"),
}  # fmt: skip

OFF_LIST: Mapping[Column, Mapping[str, str]] = {
    ("user_activity", "activity_type"): {
        "vibe_creation": "listed as tracked in the platform write-up (2.2)",
        "vibe_sending": "listed as tracked in the platform write-up (2.2)",
        "vibe_score_update": "listed as tracked in the platform write-up (2.2)",
    },
    ("content_interaction", "content_type"): {
        "community": "community create / join / member_added / member_removed (community mutations)",
        "subcommunity": "sub-community create (community mutations)",
        "page": "TrackScrollDepth (analytics mutations), content_id = page URL",
        "profile": "profile update (auth_manager mutations), content_id = the user's Users.uid",
        "user": "password change (auth_manager mutations), content_id = the Django user id",
        "session": "TrackUserSession (analytics mutations), content_id = session id",
        "opportunity": "opportunity create/update/delete/comment/like/share/apply",
    },
    ("content_interaction", "interaction_type"): {
        "update": "post / story / profile / opportunity updates",
        "delete": "post / opportunity / connection deletes",
        "reaction": "story reaction (story mutations; `react` elsewhere)",
        "join": "community join",
        "member_added": "community member added",
        "member_removed": "community member removed",
        "send_request": "connection request (CreateConnectionV2)",
        "accepted": "UpdateConnection: connection_status.lower()",
        "rejected": "UpdateConnection: connection_status.lower()",
        "cancelled": "UpdateConnection: connection_status.lower()",
        "received": "UpdateConnection: connection_status.lower()",
        "accept_request": "connection accept (platform before Nov 2025)",
        "reject_request": "connection reject (platform before Nov 2025)",
        "cancel_request": "connection cancel (platform before Nov 2025)",
        "update_relationship": "UpdateConnectionRelationOrCircle",
        "update_relationship_v2": "UpdateConnectionRelationOrCircleV2",
        "scroll": "TrackScrollDepth on a page",
        "session_data": "TrackUserSession",
        "password_change": "password change",
        "apply": "opportunity apply",
        "send": "matrix message send (platform before Nov 2025)",
    },
    ("vibe_activity", "vibe_type"): {
        "profile_data": "vibe on a profile data item (auth_manager mutations)",
    },
}


def is_known(table: str, column: str, value: str) -> bool:
    """Whether ``value`` is on the platform's list or among the off-list values it is known to write."""
    key = (table, column)
    return value in PLATFORM_CHOICES.get(key, ()) or value in OFF_LIST.get(key, {})
