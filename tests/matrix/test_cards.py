"""Request cards in the encrypted Matrix staff room: what happens when an edit fails, and where answers to a
command typed in a card's thread go. The real `elternlotse run`, a real Synapse, families on the Bot API emulator."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from nio import RoomMessagesResponse, RoomMessageText

from tests.matrix.test_staff import Both, both, card_of
from tests.support.matrix_people import MatrixPerson
from tests.support.synapse import Synapse
from tests.telegram.test_journeys import request_callback_in_arabic

pytestmark = pytest.mark.slow
__all__ = ["both"]


async def purge_history(synapse: Synapse, room: str, up_to: str) -> None:
    """What a retention policy (or an admin) does to the staff room: events before `up_to` are deleted for good."""
    admin = await synapse.register(f"admin-{room[1:7].lower()}", admin=True)
    headers = {"Authorization": f"Bearer {admin.access_token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        url = f"{synapse.url}/_synapse/admin/v1/purge_history/{room}"
        async with http.post(url, json={"delete_local_events": True, "purge_up_to_event_id": up_to}) as response:
            assert response.status == 200, await response.text()
            purge = (await response.json())["purge_id"]
        for _ in range(100):
            async with http.get(f"{synapse.url}/_synapse/admin/v1/purge_history_status/{purge}") as response:
                if (await response.json())["status"] == "complete":
                    return
            await asyncio.sleep(0.1)
    raise AssertionError("the purge did not complete")


async def cards_on_the_server(anna: MatrixPerson, room: str, reference: str, bot: str) -> list[str]:
    """The room as a client that loads it afresh sees it: the bot's cards about `reference`, not edits."""
    start = anna.client.next_batch
    history = await anna.client.room_messages(room, start=start, limit=200)
    assert isinstance(history, RoomMessagesResponse), history
    shown = [e for e in reversed(history.chunk) if isinstance(e, RoomMessageText) and e.sender == bot]
    return [e.event_id for e in shown if reference in e.body and "m.new_content" not in e.source["content"]]


async def test_a_card_whose_edit_fails_is_posted_anew_and_the_old_one_does_not_stay_open(both: Both) -> None:
    # The homeserver refuses an edit of an event it no longer has ("Can't send relation to unknown event"): here the
    # card was purged from the staff room (a retention policy does that to old cards).
    anna, room = both.team.anna, both.team.room
    _, reference = await request_callback_in_arabic(both.emu)
    card = await card_of(anna, room, reference)
    later = await anna.say(room, "Guten Morgen zusammen")  # the newest event of a room is never purged
    await purge_history(both.bot.synapse, room, later)

    await anna.say(room, f"!uebernehmen {reference}")
    anew = await anna.wait_until(
        lambda: next((m for m in anna.rooms[room] if reference in m.body and m.event_id != card.event_id), None)
    )
    assert "übernommen" in anew.body and "🟡 offen" not in anew.body
    # Whoever loads the room now sees one card, the new one (the old one is gone from the homeserver, and
    # where an old copy still exists the bot takes it back).
    assert await cards_on_the_server(anna, room, reference, both.bot.user_id) == [anew.event_id]
    query = "SELECT card_ref FROM callback_requests WHERE reference = ?"
    new_ref = [(f"matrix:{room}|{anew.event_id}",)]
    await anna.wait_until(lambda: both.bot.query(query, reference) == new_ref)  # the card's reference now

    # The next change edits the new card in place: no third card.
    await anna.say(room, f"!zurueckgeben {reference}")
    await anna.wait_until(lambda: anew.edits >= 1)
    assert await cards_on_the_server(anna, room, reference, both.bot.user_id) == [anew.event_id]
    assert "🟡 offen" in anew.body


async def test_answers_to_a_command_typed_in_a_cards_thread_go_into_that_thread(both: Both) -> None:
    anna, room = both.team.anna, both.team.room
    _, reference = await request_callback_in_arabic(both.emu)
    card = await card_of(anna, room, reference)
    await anna.say(room, "!uebernehmen", thread=card.event_id)
    await anna.wait_until(lambda: "übernommen" in card.body)

    await anna.say(room, "!vorlage call date=30.11.2026 time_window=10-12", thread=card.event_id)
    sent = await anna.wait_until(
        lambda: next((m for m in anna.rooms[room] if m.body.startswith("Vorlage „Anruf ankündigen")), None)
    )
    assert sent.thread == card.event_id, sent  # beside the card it is about, not in the room's timeline
    await anna.say(room, "!vorlage gibtsnicht", thread=card.event_id)
    unknown = await anna.wait_until(
        lambda: next((m for m in anna.rooms[room] if m.body.startswith("Vorlage „gibtsnicht")), None)
    )
    assert unknown.thread == card.event_id
    assert card.thread is None and card.edits >= 1  # the card itself stays in the timeline, edited in place

    overview = await anna.ask(room, "!offen")  # typed in the timeline: answered in the timeline
    assert overview.thread is None
