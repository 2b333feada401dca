"""What the hooks read from a request: client address, device and session kind. Pure functions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def client_ip(request: HttpRequest, trust_forwarded: bool = True) -> str | None:
    """The first ``X-Forwarded-For`` address behind a proxy, else ``REMOTE_ADDR`` (the tracker validates it)."""
    if trust_forwarded:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            return str(forwarded).split(",")[0].strip()
    addr = request.META.get("REMOTE_ADDR")
    return str(addr) if addr else None


_MOBILE = ("mobile", "android", "iphone", "ipod", "okhttp", "cfnetwork", "dart/")
_BROWSERS = (("edg", "edge"), ("chrome", "chrome"), ("firefox", "firefox"), ("safari", "safari"))


def device_info(user_agent: str) -> dict[str, Any]:
    ua = user_agent.lower()
    if "ipad" in ua or "tablet" in ua:
        device = "tablet"
    elif any(m in ua for m in _MOBILE):
        device = "mobile"
    else:
        device = "desktop"
    browser = next((name for marker, name in _BROWSERS if marker in ua), "unknown")
    return {"device_type": device, "browser": browser}


def session_type(request: HttpRequest, admin_path: str = "/admin/") -> str:
    """``session_activity.session_type``: admin, mobile, api or web (the platform's four values)."""
    if request.path.startswith(admin_path):
        return "admin"
    ua = request.META.get("HTTP_USER_AGENT", "").lower()
    if any(m in ua for m in _MOBILE):
        return "mobile"
    if request.path.startswith(("/api", "/graphql")) or request.content_type == "application/json":
        return "api"
    return "web"
