"""A bare python-telegram-bot echo bot: the baseline for bench/telegram.py (own folder: that name shadows PTB)."""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None:
        text = update.message.text if update.message and update.message.text else "ok"
        await context.bot.send_message(update.effective_chat.id, text)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is not None and update.effective_chat is not None:
        await query.answer()
        await context.bot.send_message(update.effective_chat.id, query.data or "ok")


def main() -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    token, api_url = sys.argv[1], sys.argv[2]
    app = Application.builder().token(token).base_url(f"{api_url}/bot").build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(poll_interval=0, timeout=25, drop_pending_updates=False)


if __name__ == "__main__":
    main()
