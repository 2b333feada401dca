"""The values the generator writes into type columns: the platform's `choices` plus what it really writes.

Kept in one place so that the sync's write-up ("what happens to every value") and the generator can be
checked against each other. Source: `user_activity/models.py` of the platform (cantdoitbye/backend) and
the call sites that write activity (post, story, connection, community, vibe_manager, analytics
modules). Off-list values are values the platform writes although they are not in a model's `choices`
(Django does not enforce `choices` at the database level, so Postgres accepts them).
"""

from __future__ import annotations

from typing import Final

# --- choices lists, exactly as the models declare them -------------------------------------------------

USER_ACTIVITY_TYPES: Final = (
    "login", "logout", "profile_update", "password_change", "email_change", "account_deactivation",
    "account_reactivation", "settings_update", "privacy_update", "notification_update", "search",
    "navigation", "error", "feature_usage", "post_create", "post_update", "story_create",
    "community_create", "page_view", "session_data", "scroll",
)  # fmt: skip

CONTENT_TYPES: Final = (
    "post", "story", "comment", "community_post", "review", "connection", "conversation_message",
    "matrix_message",
)  # fmt: skip

CONTENT_INTERACTION_TYPES: Final = (
    "view", "like", "unlike", "comment", "share", "save", "unsave", "pin", "unpin", "report", "hide",
    "react", "unreact", "rate", "scroll_depth", "time_spent", "create",
)  # fmt: skip

PROFILE_ACTIVITY_TYPES: Final = (
    "profile_view", "profile_follow", "profile_unfollow", "profile_block", "profile_unblock",
    "profile_report", "profile_message", "profile_share", "achievement_view", "experience_view",
    "posts_browse", "stories_browse",
)  # fmt: skip

MEDIA_TYPES: Final = ("image", "video", "audio", "document", "gif", "thumbnail", "comment_media")

MEDIA_INTERACTION_TYPES: Final = (
    "click", "view", "download", "share", "zoom", "play", "pause", "seek", "fullscreen", "volume_change",
    "quality_change",
)  # fmt: skip

SOCIAL_INTERACTION_TYPES: Final = (
    "connection_request", "connection_accept", "connection_decline", "connection_remove", "message_send",
    "message_read", "group_join", "group_leave", "group_invite", "mention", "tag", "recommendation_view",
    "recommendation_dismiss", "profile_visit",
)  # fmt: skip

SESSION_TYPES: Final = ("web", "mobile", "api", "admin")

VIBE_ACTIVITY_TYPES: Final = (
    "vibe_create", "vibe_send", "vibe_receive", "vibe_view", "vibe_search", "vibe_category_browse",
    "vibe_popularity_view", "vibe_score_update",
)  # fmt: skip

VIBE_TYPES: Final = ("individual", "community", "brand", "service", "main")

AGGREGATION_TYPES: Final = ("daily", "weekly", "monthly")

# --- off-list values the platform really writes ----------------------------------------------------------

#: content_interaction.content_type values outside CONTENT_TYPES (profile updates, community create/join,
#: analytics page tracking).
OFF_LIST_CONTENT_TYPES: Final = ("page", "profile", "community")

#: content_interaction.interaction_type values outside CONTENT_INTERACTION_TYPES. `send_request`,
#: `accepted` and `rejected` are the connection statuses (UpdateConnection writes the lower-cased status),
#: `scroll` comes from TrackScrollDepth on pages.
OFF_LIST_INTERACTION_TYPES: Final = ("update", "reaction", "join", "send_request", "accepted", "rejected", "scroll")

#: user_activity.activity_type values outside USER_ACTIVITY_TYPES that the write-up lists.
OFF_LIST_USER_ACTIVITY_TYPES: Final = ("vibe_creation", "vibe_sending", "vibe_score_update")

#: metadata.content_source of feed impressions (`view` rows with metadata.source = 'feed_view').
FEED_CONTENT_SOURCES: Final = ("analytics_feed", "fallback", "fallback_cycle", "emergency")

# --- decoration: plausible, fixed vocabularies (no quotes or backslashes: written into JSON verbatim) -----

USER_AGENTS: Final = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
    "Ooumph/3.2.1 (Android 13; SM-S911B)",
    "Ooumph/3.2.0 (iOS 17.4; iPhone15,2)",
)

PAGE_URLS: Final = (
    "/feed", "/explore", "/notifications", "/messages", "/communities", "/vibes", "/settings", "/search",
)  # fmt: skip

POST_TYPES: Final = ("fun", "news", "question", "update", "event")
PRIVACY: Final = ("public", "connections", "private")
CIRCLE_TYPES: Final = ("Outer", "Inner", "Universal")
RELATIONS: Final = ("friend", "colleague", "family", "classmate")
VIBE_CATEGORIES: Final = ("motivation", "humour", "kindness", "creativity", "leadership", "wisdom")
DEVICES: Final = ("iPhone15,2", "Pixel 8", "SM-S911B", "MacBookPro18,3", "Windows PC")
COUNTRIES: Final = ("IN", "US", "GB", "AE", "SG", "DE", "NG", "BR")
