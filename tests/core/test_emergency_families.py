"""Families of emergencies the first outside judge found missing (issue 11, round 2), each in lines of our own.

The judge's own sentences are in tests/data now; these are other sentences of the same meaning (other words, word
orders, persons), so a family is tested, not a line. Each family's everyday look-alikes stay silent.
"""

from __future__ import annotations

import pytest

from bot.core.emergency import Category, Matcher

V, S, M, A, C, H, F = (
    Category.VIOLENCE,
    Category.SUICIDE,
    Category.MEDICAL,
    Category.SEXUAL_ABUSE,
    Category.CHILD_DANGER,
    Category.HOMELESS,
    Category.FIRE,
)

FAMILIES = [
    # pills saved up to take them all
    ("en", "i have been collecting my pills for weeks and tonight i take them all", S),
    ("pl", "zbieram tabletki od miesiąca, dzisiaj wezmę wszystkie naraz", S),
    ("ru", "я накопила таблетки и сегодня выпью все", S),
    ("tr", "haplarımı biriktirdim, bu gece hepsini içeceğim", S),
    ("ckb", "حەبەکانم کۆکردۆتەوە ئەمشەو هەمووی دەخۆم", S),
    # a small child gone for an hour
    ("ru", "дочке 4 года, её нет уже полчаса", C),
    ("uk", "доньці 2 роки, її немає вже пів години", C),
    ("tr", "kızım 4 yaşında, yarım saattir ortada yok", C),
    # a child who ran out and is not found
    ("en", "my son ran out of the flat barefoot ten minutes ago", C),
    ("de", "Mein Sohn ist rausgerannt, es ist dunkel und ich finde ihn nicht", C),
    ("ro", "baiatul a fugit din casa acum zece minute si nu-l gasesc", C),
    # locked in, the phone taken
    ("en", "he locked us in the bathroom and took my phone", V),
    ("ru", "он запер нас в ванной и отобрал телефон", V),
    ("pl", "zamknął mnie w łazience i zabrał mi telefon", V),
    # a fire that will not go out
    ("pl", "tłuszcz na patelni się zapalił, nie mogę ugasić", F),
    ("uk", "на сковорідці загорілася олія і не гасне", F),
    ("ro", "uleiul din tigaie a luat foc si nu se stinge", F),
    # a stranger's car
    ("ro", "un necunoscut a bagat-o pe fetita in masina", C),
    ("de", "ein fremder Mann hat meinen Sohn ins Auto gezerrt", C),
    # forced sex, a child touched
    ("ru", "муж силой заставляет меня спать с ним", A),
    ("bg", "мъжът ми ме принуждава да спя с него", A),
    ("uk", "сусід мацав мою доньку", A),
    ("ar", "جارنا عم يلمس بنتي", A),
    # a drunk parent alone with the baby, the other not let in
    ("en", "he is drunk and alone with the baby and wont let me in", C),
    ("tr", "kocam sarhoş, bebekle yalnız ve beni eve sokmuyor", C),
    # the landlord changed the lock, and the street
    ("ru", "хозяин сменил замок, мы с детьми на улице", H),
    ("de", "der Vermieter hat das Schloss ausgetauscht, wir stehen mit den Kindern auf der Straße", H),
    # Easy German: short plain sentences
    ("de", "Mein Kind bekommt keine Luft.", M),
    ("de", "Ich weiß nicht, wo mein Kind ist.", C),
    ("de", "Meine Tochter soll verheiratet werden. Sie ist 14.", C),
    ("de", "Ich schneide mich.", S),
    ("de", "Mein Kind hat einen Anfall.", M),
    ("de", "Die Steckdose raucht.", F),
    # probing every language by meaning
    ("ru", "муж не дает мне выйти из дома", V),
    ("uk", "не бачу сенсу жити, втомилася жити", S),
    ("pl", "mąż podniósł na mnie rękę", V),
    ("ar", "بيقول رح ياخد الولاد ويسافر فيهم", C),
    ("fa", "دارن ما رو میندازن تو خیابون", H),
    ("ku", "me diavêjin kolanê", H),
    ("ckb", "دەترسم شتێک بە منداڵەکەم بکەم", C),
    ("tr", "bizi sokağa atıyorlar", H),
    ("bg", "казва, че ще вземе децата и ще избяга в чужбина", C),
    ("ro", "fiica mea a plecat de acasa si nu raspunde la telefon", C),
]

LOOK_ALIKES = [
    ("en", "we watched a film where a boy goes missing, now my son is scared"),
    ("pl", "w wiadomościach mówili o pożarze w Bochum"),
    ("ru", "v proshlom godu u nas byl pozhar, seichas vse horosho"),
    ("de", "Meine Füße bringen mich um"),
    ("ru", "эти дети меня убьют, весь день бегают"),
    ("ro", "unde gasesc ajutor pentru copilul meu la scoala"),
    ("pl", "syn ma 3 lata, gdzie są zajęcia na godzinę"),
    ("en", "the landlord changed the locks and gave us new keys"),
    ("de", "Der Vermieter hat das Schloss getauscht, wir haben neue Schlüssel bekommen."),
    ("tr", "ev sahibi hırsızlıktan sonra kilidi değiştirdi"),
    ("de", "Ich habe Tabletten gesammelt, um sie in der Apotheke abzugeben."),
    ("en", "we left the kids with grandma for two days"),
    ("uk", "лікар торкався дитини під час огляду"),
    ("de", "Mein Baby ist nach dem Impfen etwas schlapp, ist das normal?"),
    ("de", "Mein Kind atmet schwer, wenn es rennt. Ist das Asthma?"),
    ("de", "Wie kann ich mein Kind vor Feuer schützen?"),
    ("en", "my husband took my phone to fix it"),
    ("ar", "عمها حضن بنتي"),
    ("en", "my boss wants to fire me, what benefits can i get"),
    ("en", "our landlord is threatening to raise the rent"),
    ("en", "the pan caught fire but we put it out, everything is fine"),
    ("ru", "на сковородке загорелось масло, но мы потушили, все хорошо"),
    ("de", "ich schneide mich oft beim Kochen"),
    ("ru", "мама не дает мне выйти из дома без шапки"),
    ("tr", "ev sahibi kirayı artırmakla tehdit ediyor"),
    ("ckb", "کوڕەکەم هێشتا لە قوتابخانە نەگەڕاوەتەوە، سەعات ١٢ دێتەوە"),
    ("fa", "اگه بچم تشنج کنه چیکار کنم؟"),
    ("en", "how do i report a fire hazard in our building"),
]


@pytest.mark.parametrize(("lang", "text", "category"), FAMILIES)
def test_families_the_first_judge_found_missing_are_recognised_in_other_words(
    patterns_alone: Matcher, lang: str, text: str, category: Category
) -> None:
    for active in ({lang, "de", "en"}, None):
        assert category in patterns_alone.detect(text, active).categories, (text, active)


@pytest.mark.parametrize(("lang", "text"), LOOK_ALIKES)
def test_their_everyday_look_alikes_raise_no_alarm(patterns_alone: Matcher, lang: str, text: str) -> None:
    assert not patterns_alone.detect(text, {lang, "de", "en"}), text
