"""A sync gap, closed: more events arrived while the bot was away than one sync response holds (its timeline is
`limited`), and the ones before the response's first event are fetched from /messages, back to the stored token.

Without this, a restart after a long outage (or a busy staff room) would silently skip the oldest events: a
family's message would never be answered. Events already handled are skipped later by their recorded id.
"""

from __future__ import annotations

import logging

from nio import AsyncClient, MessageDirection, RoomMessagesResponse, SyncResponse

log = logging.getLogger(__name__)
PAGE = 100
MAX_PAGES = 200  # 20,000 events in one room's gap: beyond that something else is wrong; the rest is logged


class GapUnfilled(ConnectionError):
    """The homeserver did not answer /messages: the sync is tried again and its token does not move."""


async def fill_gaps(client: AsyncClient, response: SyncResponse, since: str) -> int:
    """Prepend to every limited timeline of `response` the events between `since` and its first event, in order.
    Returns how many events were added."""
    added = 0
    for room_id, info in response.rooms.join.items():
        timeline = info.timeline
        if not timeline.limited or not timeline.prev_batch:
            continue
        missing: list[object] = []
        start = timeline.prev_batch
        for _ in range(MAX_PAGES):
            page = await client.room_messages(room_id, start=start, end=since, direction=MessageDirection.back,
                                              limit=PAGE)  # fmt: skip
            if not isinstance(page, RoomMessagesResponse):
                raise GapUnfilled(str(getattr(page, "status_code", None)))
            missing += page.chunk
            if not page.chunk or not page.end or page.end == start:
                break
            start = page.end
        else:
            log.warning("a sync gap of more than %d events in one room: the oldest were not fetched", PAGE * MAX_PAGES)
        known = {getattr(event, "event_id", None) for event in timeline.events}
        earlier = [event for event in reversed(missing) if getattr(event, "event_id", None) not in known]
        timeline.events[:0] = earlier
        added += len(earlier)
    if added:
        log.info("a sync gap was closed: %d earlier events fetched", added)
    return added
