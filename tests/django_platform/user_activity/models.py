"""The platform's eight activity tables, declared again for tests (our code, not the platform's).

The platform (``cantdoitbye/backend``, app ``user_activity``) defines these tables with Django 4.2
models; ``docs/platform.md`` lists them column by column. What must match the platform exactly, and
does here:

* table names (``db_table``), column names and their order (Django creates the columns in field
  order, with foreign keys last, sorted by name);
* field classes and their arguments, hence the Postgres types, lengths, nullability and checks;
* ``uid`` unique, ``unique_together`` on ``activity_aggregation``;
* ``Meta.indexes`` - with the names Django derives for the platform's unnamed indexes, written out
  here so that they cannot drift;
* the ``choices`` (value and label), which Django keeps in Python only.

Two platform quirks are kept on purpose:

* the shared abstract base declares indexes on ``timestamp`` and ``created_at``, but every concrete
  model replaces ``Meta`` without inheriting it, so those indexes do not exist in the platform's
  database; our base declares none;
* ``on_delete=CASCADE`` is emulated by Django in Python: the database constraint Django creates has
  no ``ON DELETE`` action (it is ``DEFERRABLE INITIALLY DEFERRED``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


# --------------------------------------------------------------------------------------------
# choices (values and labels as the platform has them after its migration 0004)
# --------------------------------------------------------------------------------------------


class UserActivityType(models.TextChoices):
    LOGIN = "login", "User Login"
    LOGOUT = "logout", "User Logout"
    PROFILE_UPDATE = "profile_update", "Profile Update"
    PASSWORD_CHANGE = "password_change", "Password Change"
    EMAIL_CHANGE = "email_change", "Email Change"
    ACCOUNT_DEACTIVATION = "account_deactivation", "Account Deactivation"
    ACCOUNT_REACTIVATION = "account_reactivation", "Account Reactivation"
    SETTINGS_UPDATE = "settings_update", "Settings Update"
    PRIVACY_UPDATE = "privacy_update", "Privacy Settings Update"
    NOTIFICATION_UPDATE = "notification_update", "Notification Settings Update"
    SEARCH = "search", "Search Activity"
    NAVIGATION = "navigation", "Page Navigation"
    ERROR = "error", "Error Encountered"
    FEATURE_USAGE = "feature_usage", "Feature Usage"
    POST_CREATE = "post_create", "Post Created"
    POST_UPDATE = "post_update", "Post Updated"
    STORY_CREATE = "story_create", "Story Created"
    COMMUNITY_CREATE = "community_create", "Community Created"
    PAGE_VIEW = "page_view", "Page View"
    SESSION_DATA = "session_data", "Session Data"
    SCROLL = "scroll", "Scroll Activity"


class ContentKind(models.TextChoices):
    POST = "post", "Post"
    STORY = "story", "Story"
    COMMENT = "comment", "Comment"
    COMMUNITY_POST = "community_post", "Community Post"
    REVIEW = "review", "Review"
    CONNECTION = "connection", "Connection"
    CONVERSATION_MESSAGE = "conversation_message", "Conversation Message"
    MATRIX_MESSAGE = "matrix_message", "Matrix Message"


class ContentInteractionType(models.TextChoices):
    VIEW = "view", "View"
    LIKE = "like", "Like"
    UNLIKE = "unlike", "Unlike"
    COMMENT = "comment", "Comment"
    SHARE = "share", "Share"
    SAVE = "save", "Save"
    UNSAVE = "unsave", "Unsave"
    PIN = "pin", "Pin"
    UNPIN = "unpin", "Unpin"
    REPORT = "report", "Report"
    HIDE = "hide", "Hide"
    REACT = "react", "React"
    UNREACT = "unreact", "Unreact"
    RATE = "rate", "Rate"
    SCROLL_DEPTH = "scroll_depth", "Scroll Depth"
    TIME_SPENT = "time_spent", "Time Spent"
    CREATE = "create", "Create"


class ProfileActivityType(models.TextChoices):
    PROFILE_VIEW = "profile_view", "Profile View"
    PROFILE_FOLLOW = "profile_follow", "Profile Follow"
    PROFILE_UNFOLLOW = "profile_unfollow", "Profile Unfollow"
    PROFILE_BLOCK = "profile_block", "Profile Block"
    PROFILE_UNBLOCK = "profile_unblock", "Profile Unblock"
    PROFILE_REPORT = "profile_report", "Profile Report"
    PROFILE_MESSAGE = "profile_message", "Profile Message"
    PROFILE_SHARE = "profile_share", "Profile Share"
    ACHIEVEMENT_VIEW = "achievement_view", "Achievement View"
    EXPERIENCE_VIEW = "experience_view", "Experience View"
    POSTS_BROWSE = "posts_browse", "Posts Browse"
    STORIES_BROWSE = "stories_browse", "Stories Browse"


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    DOCUMENT = "document", "Document"
    GIF = "gif", "GIF"
    THUMBNAIL = "thumbnail", "Thumbnail"
    COMMENT_MEDIA = "comment_media", "Comment Media"


class MediaInteractionType(models.TextChoices):
    CLICK = "click", "Click"
    VIEW = "view", "View"
    DOWNLOAD = "download", "Download"
    SHARE = "share", "Share"
    ZOOM = "zoom", "Zoom"
    PLAY = "play", "Play"
    PAUSE = "pause", "Pause"
    SEEK = "seek", "Seek"
    FULLSCREEN = "fullscreen", "Fullscreen"
    VOLUME_CHANGE = "volume_change", "Volume Change"
    QUALITY_CHANGE = "quality_change", "Quality Change"


class SocialInteractionType(models.TextChoices):
    CONNECTION_REQUEST = "connection_request", "Connection Request"
    CONNECTION_ACCEPT = "connection_accept", "Connection Accept"
    CONNECTION_DECLINE = "connection_decline", "Connection Decline"
    CONNECTION_REMOVE = "connection_remove", "Connection Remove"
    MESSAGE_SEND = "message_send", "Message Send"
    MESSAGE_READ = "message_read", "Message Read"
    GROUP_JOIN = "group_join", "Group Join"
    GROUP_LEAVE = "group_leave", "Group Leave"
    GROUP_INVITE = "group_invite", "Group Invite"
    MENTION = "mention", "Mention"
    TAG = "tag", "Tag"
    RECOMMENDATION_VIEW = "recommendation_view", "Recommendation View"
    RECOMMENDATION_DISMISS = "recommendation_dismiss", "Recommendation Dismiss"
    PROFILE_VISIT = "profile_visit", "Profile Visit"


class SessionKind(models.TextChoices):
    WEB = "web", "Web Session"
    MOBILE = "mobile", "Mobile Session"
    API = "api", "API Session"
    ADMIN = "admin", "Admin Session"


class VibeActivityType(models.TextChoices):
    VIBE_CREATE = "vibe_create", "Vibe Create"
    VIBE_SEND = "vibe_send", "Vibe Send"
    VIBE_RECEIVE = "vibe_receive", "Vibe Receive"
    VIBE_VIEW = "vibe_view", "Vibe View"
    VIBE_SEARCH = "vibe_search", "Vibe Search"
    VIBE_CATEGORY_BROWSE = "vibe_category_browse", "Vibe Category Browse"
    VIBE_POPULARITY_VIEW = "vibe_popularity_view", "Vibe Popularity View"
    VIBE_SCORE_UPDATE = "vibe_score_update", "Vibe Score Update"


class VibeKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual Vibe"
    COMMUNITY = "community", "Community Vibe"
    BRAND = "brand", "Brand Vibe"
    SERVICE = "service", "Service Vibe"
    MAIN = "main", "Main Vibe"


class AggregationPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------


def _index(name: str, *fields: str) -> models.Index:
    return models.Index(fields=list(fields), name=name)


class TrackedEvent(models.Model):
    """Columns 2-8 of seven of the eight tables (``activity_aggregation`` has its own)."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    timestamp = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class UserActivity(TrackedEvent):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="activities")
    activity_type = models.CharField(max_length=50, choices=UserActivityType.choices)
    description = models.TextField(null=True, blank=True)
    success = models.BooleanField(default=True)

    class Meta:
        db_table = "user_activity"
        verbose_name = "User Activity"
        verbose_name_plural = "User Activities"
        indexes = (
            _index("user_activi_user_id_3b1b11_idx", "user", "timestamp"),
            _index("user_activi_activit_25fc27_idx", "activity_type", "timestamp"),
            _index("user_activi_user_id_f188ea_idx", "user", "activity_type"),
        )


class ContentInteraction(TrackedEvent):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="content_interactions")
    content_type = models.CharField(max_length=20, choices=ContentKind.choices)
    content_id = models.CharField(max_length=100)
    interaction_type = models.CharField(max_length=20, choices=ContentInteractionType.choices)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    scroll_depth_percentage = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "content_interaction"
        verbose_name = "Content Interaction"
        verbose_name_plural = "Content Interactions"
        indexes = (
            _index("content_int_user_id_2d4c18_idx", "user", "timestamp"),
            _index("content_int_content_0ad376_idx", "content_type", "content_id"),
            _index("content_int_interac_dabef8_idx", "interaction_type", "timestamp"),
            _index("content_int_user_id_6efb08_idx", "user", "content_type", "interaction_type"),
        )


class ProfileActivity(TrackedEvent):
    visitor = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="profile_visits")
    profile_owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="profile_views_received")
    activity_type = models.CharField(max_length=20, choices=ProfileActivityType.choices)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "profile_activity"
        verbose_name = "Profile Activity"
        verbose_name_plural = "Profile Activities"
        indexes = (
            _index("profile_act_visitor_7e6a04_idx", "visitor", "timestamp"),
            _index("profile_act_profile_735f7e_idx", "profile_owner", "timestamp"),
            _index("profile_act_activit_89100e_idx", "activity_type", "timestamp"),
            _index("profile_act_visitor_57c8ca_idx", "visitor", "profile_owner"),
        )


class MediaInteraction(TrackedEvent):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="media_interactions")
    media_type = models.CharField(max_length=20, choices=MediaKind.choices)
    media_id = models.CharField(max_length=100)
    media_url = models.URLField(null=True, blank=True)
    interaction_type = models.CharField(max_length=20, choices=MediaInteractionType.choices)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    position_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "media_interaction"
        verbose_name = "Media Interaction"
        verbose_name_plural = "Media Interactions"
        indexes = (
            _index("media_inter_user_id_f0dda0_idx", "user", "timestamp"),
            _index("media_inter_media_t_46d148_idx", "media_type", "media_id"),
            _index("media_inter_interac_15095d_idx", "interaction_type", "timestamp"),
        )


class SocialInteraction(TrackedEvent):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="social_interactions")
    target_user = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        related_name="social_interactions_received",
        null=True,
        blank=True,
    )
    interaction_type = models.CharField(max_length=25, choices=SocialInteractionType.choices)
    context_type = models.CharField(max_length=50, null=True, blank=True)
    context_id = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        db_table = "social_interaction"
        verbose_name = "Social Interaction"
        verbose_name_plural = "Social Interactions"
        indexes = (
            _index("social_inte_user_id_dc4563_idx", "user", "timestamp"),
            _index("social_inte_target__693913_idx", "target_user", "timestamp"),
            _index("social_inte_interac_3e4cfb_idx", "interaction_type", "timestamp"),
            _index("social_inte_user_id_59bbd0_idx", "user", "target_user"),
        )


class SessionActivity(TrackedEvent):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="sessions")
    session_id = models.CharField(max_length=100)
    session_type = models.CharField(max_length=10, choices=SessionKind.choices, default=SessionKind.WEB)
    start_time = models.DateTimeField(default=timezone.now)
    end_time = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    pages_visited = models.PositiveIntegerField(default=0)
    actions_performed = models.PositiveIntegerField(default=0)
    device_info = models.JSONField(default=dict, blank=True)
    location_data = models.JSONField(default=dict, blank=True)
    referrer = models.URLField(null=True, blank=True)
    exit_page = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        db_table = "session_activity"
        verbose_name = "Session Activity"
        verbose_name_plural = "Session Activities"
        indexes = (
            _index("session_act_user_id_4baaf1_idx", "user", "start_time"),
            _index("session_act_session_159728_idx", "session_id"),
            _index("session_act_session_887d9f_idx", "session_type", "start_time"),
        )


class VibeActivity(TrackedEvent):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="vibe_activities")
    activity_type = models.CharField(max_length=25, choices=VibeActivityType.choices)
    vibe_type = models.CharField(max_length=15, choices=VibeKind.choices)
    vibe_id = models.CharField(max_length=100)
    vibe_name = models.CharField(max_length=255, null=True, blank=True)
    vibe_category = models.CharField(max_length=100, null=True, blank=True)
    # A plain string, not a foreign key: the platform writes Django user ids, the string 'None'
    # and community uids here (see docs/platform.md).
    target_user_id = models.CharField(max_length=100, null=True, blank=True)
    vibe_score = models.FloatField(null=True, blank=True)
    iq_impact = models.FloatField(null=True, blank=True)
    aq_impact = models.FloatField(null=True, blank=True)
    sq_impact = models.FloatField(null=True, blank=True)
    hq_impact = models.FloatField(null=True, blank=True)
    success = models.BooleanField(default=True)
    error_message = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "vibe_activity"
        verbose_name = "Vibe Activity"
        verbose_name_plural = "Vibe Activities"
        indexes = (
            _index("vibe_activi_user_id_35b763_idx", "user", "timestamp"),
            _index("vibe_activi_activit_90577b_idx", "activity_type", "timestamp"),
            _index("vibe_activi_vibe_ty_4ef7ea_idx", "vibe_type", "timestamp"),
            _index("vibe_activi_user_id_f627cb_idx", "user", "activity_type"),
            _index("vibe_activi_vibe_id_b492a7_idx", "vibe_id", "activity_type"),
            _index("vibe_activi_target__6a555d_idx", "target_user_id", "timestamp"),
        )


class ActivityAggregation(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="activity_aggregations")
    aggregation_type = models.CharField(max_length=10, choices=AggregationPeriod.choices)
    date = models.DateField()
    activity_counts = models.JSONField(default=dict)
    engagement_score = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "activity_aggregation"
        verbose_name = "Activity Aggregation"
        verbose_name_plural = "Activity Aggregations"
        unique_together = (("user", "aggregation_type", "date"),)
        indexes = (
            _index("activity_ag_user_id_8b6772_idx", "user", "date"),
            _index("activity_ag_aggrega_72fffa_idx", "aggregation_type", "date"),
        )
