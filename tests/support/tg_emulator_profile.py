"""The bot's profile as the Bot API keeps it: description and short description per language (a mixin).

setMyDescription / setMyShortDescription answer True; an empty or missing text removes the language's own text.
getMyDescription / getMyShortDescription answer the language's own text, or the default one (no language_code)
when the language has none — an assumption: the documentation says only "for the given user language". The
error text for a text over the limit is ours; Telegram's exact wording was not verified.
"""

from __future__ import annotations

from tests.support.tg_emulator_state import JSON, Params, bad_request

LIMITS = {"description": 512, "short_description": 120}


def language_of(p: Params) -> str:
    language = p.get_str("language_code") or ""
    if language and not (len(language) == 2 and language.isalpha() and language.islower()):
        raise bad_request("invalid language code specified")
    return language


class ProfileMethods:
    """Mixed into TelegramEmulator; `profile` holds {(field, language_code): text}, "" for the default."""

    profile: dict[tuple[str, str], str]

    def _set_profile(self, field: str, p: Params) -> bool:
        language = language_of(p)
        text = p.get_str(field) or ""
        if len(text) > LIMITS[field]:
            raise bad_request(f"{field.replace('_', ' ')} is too long")
        if text:
            self.profile[(field, language)] = text
        else:
            self.profile.pop((field, language), None)
        return True

    def _get_profile(self, field: str, p: Params) -> JSON:
        language = language_of(p)
        return {field: self.profile.get((field, language), self.profile.get((field, ""), ""))}

    async def _api_setMyDescription(self, p: Params) -> bool:
        return self._set_profile("description", p)

    async def _api_getMyDescription(self, p: Params) -> JSON:
        return self._get_profile("description", p)

    async def _api_setMyShortDescription(self, p: Params) -> bool:
        return self._set_profile("short_description", p)

    async def _api_getMyShortDescription(self, p: Params) -> JSON:
        return self._get_profile("short_description", p)

    def description_for(self, language_code: str = "") -> tuple[str, str]:
        """What a user whose app speaks language_code sees before pressing Start: (description, short description)."""
        field_of = {"description": "", "short_description": ""}
        for field in field_of:
            field_of[field] = self.profile.get((field, language_code), self.profile.get((field, ""), ""))
        return field_of["description"], field_of["short_description"]
