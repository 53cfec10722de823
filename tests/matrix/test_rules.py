"""The Matrix adapter's pure rules: rendering, reading commands, who may act in the staff room, threads."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.matrix_rooms import may_act
from bot.adapters.matrix_text import content, read_event
from bot.core.buttons import Queue, QueueAction, button
from bot.core.choices import numbered
from bot.core.events import Button, Command, Reply, Text
from bot.core.staffcmd import in_thread

ANNA, MALLORY, OWNER = "@anna:stadt.de", "@mallory:stadt.de", "@chefin:stadt.de"


def state(members: dict[str, str], power: dict[str, object] | None = None, creators: list[str] | None = None
          ) -> list[dict[str, object]]:  # fmt: skip
    events: list[dict[str, object]] = [
        {"type": "m.room.create", "state_key": "", "sender": OWNER,
         "content": {"room_version": "12", "additional_creators": creators or []}},
    ]  # fmt: skip
    events += [{"type": "m.room.member", "state_key": who, "content": {"membership": m}} for who, m in members.items()]
    if power is not None:
        events.append({"type": "m.room.power_levels", "state_key": "", "content": power})
    return events


def test_only_joined_members_who_may_write_act_and_the_creator_counts_as_admin() -> None:
    power = {"users": {MALLORY: -1, OWNER: 0}, "users_default": 0, "events_default": 0}
    room = state({ANNA: "join", MALLORY: "join", OWNER: "join", "@left:stadt.de": "leave", "@inv:stadt.de": "invite"},
                 power)  # fmt: skip
    assert may_act(room, ANNA)
    assert not may_act(room, MALLORY)  # muted: below the level needed to write
    assert may_act(room, OWNER)  # room version 12: creators have unlimited power, which nio reads as 0
    assert not may_act(room, "@left:stadt.de") and not may_act(room, "@inv:stadt.de") and not may_act(room, "@x:y")
    muted_room = state({ANNA: "join"}, {"users_default": 0, "events": {"m.room.message": 50}})
    assert not may_act(muted_room, ANNA)
    assert may_act(state({"@co:stadt.de": "join"}, {"events_default": 100}, creators=["@co:stadt.de"]), "@co:stadt.de")


def test_dynamic_values_are_escaped_and_options_numbered_in_row_major_order() -> None:
    reply = Reply("Name: <b>Zeynep</b> & Co", ((Button("Ja", "a"), Button("Nein", "b")), (Button("<i>", "c"),)))
    assert numbered(reply) == "1. Ja\n2. Nein\n3. <i>"
    message = content(reply)
    assert message["body"] == "Name: <b>Zeynep</b> & Co\n\n1. Ja\n2. Nein\n3. <i>"
    assert (
        message["formatted_body"] == "Name: &lt;b&gt;Zeynep&lt;/b&gt; &amp; Co<br><br>1. Ja<br>2. Nein<br>3. &lt;i&gt;"
    )
    edit = content(Reply("neu"), edit_of="$card")
    assert (
        edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$card"}
        and edit["m.new_content"]["body"] == "neu"
    )


def test_queue_buttons_become_the_commands_that_do_the_same_and_slash_commands_become_bang_commands() -> None:
    card = Reply("Karte", ((button("Übernehmen", Queue(QueueAction.CLAIM, "R-2026-0001")),),))
    assert content(card)["body"] == "Karte\n\nÜbernehmen: !uebernehmen R-2026-0001"
    assert content(Reply("Befehle: /offen, /uebernehmen R-… und https://x.de/offen"))["body"] == (
        "Befehle: !offen, !uebernehmen R-… und https://x.de/offen"
    )


def test_commands_are_read_typed_with_a_slash_or_an_exclamation_mark() -> None:
    assert read_event("!Uebernehmen 42") == Command("uebernehmen", "42")
    assert read_event("/emergency") == Command("emergency", "")
    assert (
        read_event("! nicht") == Text("! nicht") and read_event("!!!") == Text("!!!") and read_event("1") == Text("1")
    )
    assert read_event("> <@a:b> zitiert\n\n!offen", replying=True) == Command("offen", "")


def test_a_command_in_a_cards_thread_is_about_that_request_unless_it_names_one() -> None:
    assert in_thread(Command("uebernehmen"), "R-2026-0007") == Command("uebernehmen", "R-2026-0007")
    assert in_thread(Command("antwort", "42 Euro fehlen"), "R-2026-0007") == Command(
        "antwort", "R-2026-0007 42 Euro fehlen"
    )
    assert in_thread(Command("erledigt", "R-2026-0001"), "R-2026-0007") == Command("erledigt", "R-2026-0001")
    assert in_thread(Command("offen"), "R-2026-0007") == Command("offen")
    assert in_thread(Text("eine Notiz"), "R-2026-0007") == Text("eine Notiz")


def test_m_limit_exceeded_is_retried_after_the_homeservers_retry_after_ms() -> None:
    from nio import RoomSendError, RoomSendResponse

    from bot.adapters.matrix import LIMIT_MARGIN, MatrixAdapter
    from bot.adapters.matrix_login import Credentials
    from storage.kinds import Outcome

    adapter = MatrixAdapter(Credentials("http://127.0.0.1:9", "@bot:x"), Path("/nonexistent"))
    limited = adapter._outcome(RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=2500), None)
    assert (limited.status, limited.retry_after) == (Outcome.RETRY, 2.5 + LIMIT_MARGIN)
    refused = adapter._outcome(RoomSendError("no", "M_FORBIDDEN"), None)
    assert refused.status == Outcome.FAILED
    sent = adapter._outcome(RoomSendResponse("$e", "!r"), None)
    assert (sent.status, sent.ref) == (Outcome.SENT, "$e")


async def test_a_second_process_cannot_use_the_same_matrix_device_until_the_first_lets_go(tmp_path: Path) -> None:
    import pytest

    from bot.adapters.matrix import MatrixAdapter
    from bot.adapters.matrix_login import Credentials

    credentials = Credentials("http://127.0.0.1:9", "@bot:x")
    first, second = MatrixAdapter(credentials, tmp_path), MatrixAdapter(credentials, tmp_path)
    first._hold_device()
    with pytest.raises(ConnectionError, match="another process uses this Matrix device"):
        await second.connect()
    await first.disconnect()
    second._hold_device()  # the standby takes over
    await second.disconnect()
