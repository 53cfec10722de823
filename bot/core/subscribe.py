"""Reminders of consultation hours, as the family sees them: /reminders and the buttons to stop or move them.

Asking for reminders is content (dialogs/flows/reminders.yaml: district, a consent of its own, a subscribe node);
what the family has is read from Context.reminders, and the runtime writes Subscribe and Unsubscribe.
"""

from __future__ import annotations

from bot.core import texts as T
from bot.core.buttons import Remind, RemindAction, button
from bot.core.events import Unsubscribe
from bot.core.hours import district_ids, district_name
from bot.core.turn import MENU, REMINDERS, REMINDERS_DISTRICT, Turn

FLOW = REMINDERS.split("/")[0] + "/"


def reminders_command(turn: Turn) -> None:
    """/reminders: with reminders, where they are for and the two ways to change that; without, ask for them."""
    district = turn.ctx.reminders
    if district is None:
        turn.s.slots.clear()  # a new question: answers of another one are not carried into it
        turn.enter(REMINDERS, push=True)
        return
    name = district_name(turn.ctx.hours, district) if district in district_ids(turn.ctx.hours) else district
    turn.say(turn.t(T.REMINDERS_ON, district=name))
    node = turn.ctx.content.node(turn.s.at)
    turn.flush(
        [
            [button(turn.label(T.REMINDERS_DISTRICT_BUTTON), Remind(RemindAction.DISTRICT))],
            [button(turn.label(T.REMINDER_STOP), Remind(RemindAction.STOP))],
            turn.nav_row(node),
        ]
    )


def reminder_pressed(turn: Turn, press: Remind) -> None:
    """Stop works from any step (it sits under every reminder); both are refused to a family without reminders."""
    if turn.ctx.reminders is None:
        turn.stale("old_step", T.REMINDERS_NONE)
        return
    if press.action == RemindAction.STOP:
        turn.effects.append(Unsubscribe())
        turn.say(turn.t(T.REMINDERS_STOPPED))
        if (turn.s.at or "").startswith(FLOW):
            turn.enter(MENU)  # the step that ordered them ("we will remind you") is over, not shown again
        else:
            turn.rerender()
        return
    turn.s.slots.clear()
    turn.enter(REMINDERS_DISTRICT, push=True)
