"""`analytics init`: what the analytics add to the platform database, created only where absent."""

from __future__ import annotations

from analytics.impressions import ensure_table
from analytics.pg import Conn, connection
from analytics.sqlfiles import sql_text


def init_analytics(*, indexes: bool = True, conn: Conn | None = None, url: str | None = None) -> list[str]:
    """Create the feed impression table and (with `indexes`) the event-time indexes; returns what was applied.

    Idempotent (IF NOT EXISTS throughout). The indexes are optional: every job works without them, scanning
    the activity tables instead of reading a range of one day.
    """
    done = ["activity_graph_feed_impression"]
    with connection(conn, url) as c:
        ensure_table(c)
        if indexes:
            with c.transaction():
                c.execute(sql_text("indexes"))
            done.append("ag_analytics_* event-time indexes")
    return done
