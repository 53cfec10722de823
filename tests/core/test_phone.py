"""Phone numbers a social worker can call: service numbers and letters refused with a reason, extensions kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core import texts as T
from bot.core.engine import Context
from bot.core.events import CreateRequest, Text
from bot.core.phone import PhoneCheck, check_phone
from bot.staff_texts import details_text
from storage.models import CallbackRequest
from tests.core.test_engine import Parent, walk_to_consent


@pytest.mark.parametrize(
    "typed",
    ["0900 1234567", "0180 1234567", "01805 123456", "0137 1234567", "0700 12345678", "018500 123456",
     "0177 99 1234567", "0800 1110550", "016412345", "+44 70 1234 5678", "+90 900 123 4567"],
)  # fmt: skip
def test_premium_shared_cost_personal_uan_voicemail_and_other_service_numbers_are_refused(typed: str) -> None:
    assert check_phone(typed) == PhoneCheck(problem="service")


def test_letters_in_a_phone_number_are_refused_not_dropped() -> None:
    # Regression: phonenumbers dropped the letters, and "0234 12345ab" was stored as +4923412345.
    for typed in ("0234 12345ab", "0234 12345 AB", "Tel. 0234 1234567", "0234 1234567 x", "0234 1234567 Durchwahl"):
        assert check_phone(typed) == PhoneCheck(problem="letters"), typed


@pytest.mark.parametrize(
    "typed",
    ["0234 1234567 Durchwahl 12", "0234 1234567, Dw. 12", "0234 1234567 ext. 12", "0234 1234567 extension 12",
     "0234 1234567 x12", "0234 1234567 #12", "0234 1234567 доб. 12", "+49 234 1234567 dahili 12",
     "۰۲۳۴ ۱۲۳۴۵۶۷ داخلی ۱۲"],
)  # fmt: skip
def test_an_extension_is_kept(typed: str) -> None:
    assert check_phone(typed) == PhoneCheck("+492341234567;ext=12")


def test_a_hyphenated_durchwahl_stays_part_of_the_number_as_din_5008_dials_it() -> None:
    assert check_phone("0234 1234567-12") == PhoneCheck("+49234123456712")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0157 12345678", "+4915712345678"), ("0234/1234567", "+492341234567"), ("+49 (0)234 1234567", "+492341234567"),
     ("۰۲۳۴ ۱۲۳۴۵۶۷", "+492341234567"), ("٠١٥٧ ١٢٣٤٥٦٧٨", "+4915712345678"), ("+90 532 123 45 67", "+905321234567"),
     ("0090 532 123 45 67", "+905321234567"), ("+380 50 123 4567", "+380501234567"),
     ("+963 944 123 456", "+963944123456"), ("+963 11 234 5678", "+963112345678"),
     ("+33 9 12 34 56 78", "+33912345678")],
)  # fmt: skip
def test_mobile_fixed_line_and_international_numbers_are_accepted(typed: str, stored: str) -> None:
    assert check_phone(typed) == PhoneCheck(stored)


def to_the_phone_question(parent: Parent, lang: str) -> dict[str, str]:
    catalog = parent.ctx.i18n.catalogs[lang]
    parent.send(Text("hallo"))
    parent.press("English")
    parent.press(catalog["📞 Rückruf anfordern"])
    parent.press(catalog["🏠 Wohnen"])
    parent.press(catalog["📞 Bitte anrufen"])
    return catalog


def test_a_premium_rate_number_is_refused_with_a_translated_reason_and_the_question_stays(ctx: Context) -> None:
    parent = Parent(ctx)
    en = to_the_phone_question(parent, "en")
    screen = parent.send(Text("0900 1234567"))
    assert screen.startswith(en[T.PHONE_SERVICE]) and "0800" in screen
    assert parent.session.at == "callback/phone" and "phone" not in parent.session.slots


def test_letters_get_a_translated_reason_with_an_example(ctx: Context) -> None:
    parent = Parent(ctx)
    en = to_the_phone_question(parent, "en")
    screen = parent.send(Text("0234 12345ab"))
    assert screen.startswith(en[T.PHONE_LETTERS].format(example="0234 1234567"))
    assert parent.session.at == "callback/phone" and "phone" not in parent.session.slots


def test_an_extension_is_stored_shown_to_the_family_and_to_the_staff_member(ctx: Context) -> None:
    parent = Parent(ctx)
    walk_to_consent(parent, phone="0234 1234567 Durchwahl 12")
    assert "• Telefon: +492341234567, Durchwahl 12" in parent.screen  # the consent summary says what is passed on
    parent.press("Ja, ich bin einverstanden")
    created = next(e for e in parent.effects if isinstance(e, CreateRequest))
    assert created.slots["phone"] == "+492341234567;ext=12"
    row = CallbackRequest(reference="R-2026-0001", status="claimed", topic="money", language="de", channel="console",
                          contact_way="phone", phone=created.slots["phone"], created_at=datetime.now(UTC))  # fmt: skip
    assert "Telefon: +49 234 1234567, Durchwahl 12" in details_text(row).split("\n")
