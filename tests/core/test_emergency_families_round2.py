"""Families of emergencies missed on the second outside set (issue 11, round 2 dev set), each in lines of our own.

The round-2 lines stay in tests/data/emergency_blind_round2.tsv (a dev set, never asserted); these are other
sentences of the same meaning: other words, persons and word orders, so that a family is tested and not a line.
The look-alikes are the everyday lines each new pattern was tried against while it was written.
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
    ("ckb", "براکەی دەڵێت ئەمشەو دەتانکوژین", V),
    ("ckb", "دەڵێت هەمووتان دەسووتێنم", V),
    ("ckb", "من و منداڵەکانم خۆمان لە ژوورەکە داخستووە، مێردەکەم شەق لە دەرگا دەدات", V),
    ("ckb", "منداڵەکانم بەبێ من باشتر دەژین", S),
    ("ckb", "ساواکەم تای ٣٩ یە و تەمەنی سێ هەفتەیە", M),
    ("ckb", "کوڕەکەم خەبەری نابێتەوە", M),
    ("ckb", "کچە بچکۆلەکەم لە ناو ئۆتۆمبێلەکە ماوەتەوە، دەرگاکە قفڵە", C),
    ("ckb", "پۆلیس گرتوومی، منداڵەکانم بە تەنیا لە ماڵن", C),
    ("ckb", "خاوەنماڵ کلیلی دەرگاکەی گۆڕیوە، ناتوانین بچینە ژوورەوە", H),
    ("ckb", "ئەمشەو لە ویستگەی پاس دەخەوین", H),
    ("ckb", "پلیکانەکە پڕە لە دووکەڵ", F),
    ("ckb", "سۆبەی غاز داگیرساوە و هەموومان سەرمان دەئێشێت", F),
    ("ckb", "مێرده كه م هه موو شه وێك لێم ده دات", V),
    ("ku", "min mazot li xwe rijand, ez ê xwe bişewitînim", S),
    ("ku", "kurê min li ser banê avahiyê ye û dibêje ez ê xwe biavêjim", S),
    ("ku", "kurê min pîlek daqurtand", M),
    ("ku", "zarok nayê şiyarkirin", M),
    ("ku", "avahî dûman girtiye, derence tijî dûman e", F),
    ("ku", "cîranê me destê xwe davêje laşê keça min", A),
    ("de", "heute mach ich euch kalt, hat er geschrieben", V),
    ("de", "ein fremder hat meinen Sohn in den Transporter gezerrt", C),
    ("de", "er hat die Kinder aus der Schule mitgenommen, obwohl er das nicht darf", C),
    ("de", "wir wurden heute aus dem Heim rausgeworfen, wohin sollen wir, es ist kalt", H),
    ("de", "der Hausmeister hat unsere Möbel vor die Tür auf den Gehweg geworfen", H),
    ("de", "ich rieche Gas in der ganzen Wohnung", F),
    ("de", "der Nachbar hat mit meinem Sohn Sex gemacht", A),
    ("en", "my sister is standing on the bridge and says she will jump", S),
    ("en", "the landlord dumped our belongings on the sidewalk", H),
    ("en", "there is a restraining order but he took our son from daycare", C),
    ("en", "the neighbour made my son touch his private parts", A),
    ("ar", "قال رح احرقكم كلكم", V),
    ("ar", "بنتي عندها حرارة وبقع حمرا ما بتروح لما بضغط عليها بالكاسة", M),
    ("ar", "ابوه ما رجع الاولاد بعد الويكند", C),
    ("ar", "الولاد دايخين وعم يستفرغوا من ريحة المدفأة", F),
    ("tr", "kızım köprüdeyim atlayacağım diye yazdı", S),
    ("tr", "oğlum deterjan kapsülü yutmuş, kusuyor", M),
    ("tr", "bebeğim arabada kilitli kaldı, anahtar içeride", C),
    ("tr", "komşu oğluma dokunuyormuş, bugün anlattı", A),
    ("ru", "он написал: ну всё, ты своё получишь", V),
    ("ru", "ребенку 3 недели, температура 39", M),
    ("ru", "меня задержали, дома одни дети", C),
    ("ru", "spim v mashine s detmi uzhe tretyu noch", H),
    ("uk", "він вибиває двері, я сховалась з дітьми у ванній", V),
    ("uk", "собака покусала доньку, кров не зупиняється", M),
    ("uk", "у всіх болить голова, газова колонка працює весь день", F),
    ("ro", "fiul meu e pe acoperis si zice ca se arunca", S),
    ("ro", "detectorul de monoxid suna si ne doare capul", F),
    ("bg", "газовата печка работи, всички сме замаяни и ни боли глава", F),
    ("fa", "گفته خونتو میریزم", V),
    ("fa", "با کمربند پسرمو میزنه", V),
    ("fa", "بخاری روشنه، همه سرگیجه داریم", F),
    ("pl", "noworodek 3 tygodnie, 39 stopni gorączki", M),
    ("pl", "właściciel wyrzucił nasze meble na ulicę", H),
    ("pl", "ktoś prosi moją córkę o zdjęcia bez ubrania", A),
]

LOOK_ALIKES = [
    ("de", "Mein Mann nimmt das Kind im Auto mit zur Kita, geht das mit Kindersitz?"),
    ("de", "Wo schlafen Kinder in der Kita, wir sind heute Nacht im Urlaub"),
    ("de", "Die Gaspreise sind stark gestiegen, gibt es Hilfe?"),
    ("de", "Die Tür ist kaputt, der Vermieter repariert nicht, bitte Hilfe"),
    ("de", "Darf ich die Kinder mit ins Ausland nehmen? Brauchen sie einen Pass?"),
    ("de", "Ich habe ein paar Tabletten gegen Kopfschmerzen genommen, darf ich stillen?"),
    ("de", "Wir stellen alte Sachen auf die Straße zum Verschenken"),
    ("de", "Er hat das Kind abgeholt, wie das Gericht es entschieden hat"),
    ("de", "Mein Sohn will kämpfen lernen, gibt es Judo?"),
    ("de", "Heißes Wasser für den Tee, mein Kind will helfen, ab welchem Alter?"),
    ("en", "the court order says he takes the kids every second weekend, how do I plan holidays"),
    ("en", "my son loves to jump on the sofa, is a net on the balcony a good idea"),
    ("en", "the teacher made them touch the snails in the garden"),
    ("en", "I put the kids' old things out on the street for free"),
    ("en", "he showed him the parts of the bike"),
    ("en", "we got an eviction notice, the hearing is next month, what are my rights"),
    ("ru", "ребенок плачет всю ночь, соседи жалуются, что делать с коликами"),
    ("ru", "муж берет билеты на самолет для детей в отпуск, нужен ли паспорт ребенка"),
    ("ru", "как правильно пристегнуть ребенка ремнем безопасности в машине"),
    ("ru", "мой сын избил одноклассника, мне звонили из школы"),
    ("ru", "я больше не увижу эту воспитательницу, она уходит"),
    ("ru", "не отдает ребенка в садик бабушка, говорит рано"),
    ("uk", "дитина не хоче спати, я змушую її лягати о дев'ятій"),
    ("uk", "дитина закрилась у ванній і не хоче митися"),
    ("uk", "дітей вдома нема, вони в бабусі, передзвоніть завтра"),
    ("ro", "copilul se arunca pe jos cand plange, stam la etajul 3"),
    ("ro", "tribunalul a decis ca tatal ia copilul in weekend"),
    ("ro", "copilul plange toata noaptea, vecinii se plang"),
    ("tr", "çocuk odası kilitli, oda sıcak, nasıl havalandırayım"),
    ("tr", "bütün ilaçlarımı içtim bugün, doktor kontrolü yarın"),
    ("fa", "کمربند بچه رو بستم، صندلی ماشین درسته؟"),
    ("fa", "دادگاه گفته پدرش میتونه بچه رو آخر هفته ببره"),
    ("fa", "بچه در شکمم لگد میزنه"),
    ("pl", "jesteśmy z dziećmi przed domem na placu zabaw"),
    ("pl", "wynosimy się dzisiaj do babci na weekend, właściciel wie"),
    ("ar", "حبوب حمرا بالوجه، بتروح لحالها؟"),
    ("ar", "فاتورة الغاز وجعتلي راسي"),
    ("ar", "بدي صور بنتي للجواز بدون نظارات"),
    ("ku", "pencere vekirî ye, zarok sar dibin"),
    ("ku", "sobe vêketî ye, zarok xew dikin"),
    ("ku", "mêrê min dibêje benzîn biha ye"),
    ("ku", "pitik bi şev şiyar nabe ji bo şîr, normal e?"),
    ("ckb", "ئەمشەو کارەکە کۆتایی پێ دەهێنم"),
    ("ckb", "خۆم لە ژوورەکەم داخستووە، پێویستم بە پشوو"),
    ("ckb", "منداڵەکەم کلیلی ئۆتۆمبێلەکەی شاردەوە"),
    ("de", "Der Ofen ist an und mir ist übel, ich bin in der 8. Woche schwanger"),
    ("de", "Die Heizung ist kaputt, die Kinder sind alle müde vom Frieren"),
    ("en", "the stove is on, we are making soup because the kids are sick with flu"),
    ("ru", "котел не работает, дети болеют, у всех температура"),
    ("tr", "kombi bozuldu, çocuklar üşüyor, herkes hasta"),
]


@pytest.mark.parametrize(("lang", "text", "category"), FAMILIES)
def test_families_missed_on_the_second_set_are_recognised_in_other_words(
    matcher: Matcher, lang: str, text: str, category: Category
) -> None:
    for active in ({lang, "de", "en"}, None):
        assert matcher.detect(text, active), (text, active)
    assert category in matcher.detect(text, {lang, "de", "en"}).categories, text


@pytest.mark.parametrize(("lang", "text"), LOOK_ALIKES)
def test_the_look_alikes_of_those_families_raise_no_alarm(matcher: Matcher, lang: str, text: str) -> None:
    for active in ({lang, "de", "en"}, None):
        assert not matcher.detect(text, active), (text, active)
