"""The context layer of emergency recognition: what each kind of context may quiet, and what it never may."""

from __future__ import annotations

from pathlib import Path

from bot.core.emergency import Category, Context, Matcher
from bot.core.emergency_file import read_patterns
from bot.core.emergency_pattern import parse_pattern


def matcher_of(lang: str, lines: dict[str, list[str]], context: dict[Context, list[str]]) -> Matcher:
    patterns = [parse_pattern(line, lang, Category(name)) for name, items in lines.items() for line in items]
    patterns += [parse_pattern(line, lang, None, context=kind) for kind, items in context.items() for line in items]
    return Matcher(patterns)


def test_long_ago_quiets_a_fire_in_its_sentence_but_never_violence() -> None:
    m = matcher_of(
        "en",
        {"fire": ["fire"], "violence": ["hit =me"]},
        {Context.PAST: ["last year"], Context.KEEP: ["again"]},
    )
    assert not m.detect("last year there was a fire in our house")
    assert m.detect("last year there was a fire. now there is a fire in the kitchen")  # another sentence
    assert m.detect("last year there was a fire and now again")  # keep
    assert m.detect("last year he hit me")  # violence goes on: its numbers still help


def test_over_quiets_a_medical_emergency_before_it_unless_negated() -> None:
    m = matcher_of(
        "de",
        {"medical": ["bewusstlos"], "fire": ["brennt"]},
        {Context.OVER: ["jetzt ... gut"], Context.NEGATION: ["nicht"]},
    )
    assert not m.detect("er war kurz bewusstlos, jetzt geht es ihm gut")
    assert m.detect("jetzt geht es ihm gut, aber sein Bruder ist bewusstlos")  # after it: a new emergency
    assert m.detect("er war bewusstlos, jetzt geht es ihm nicht gut")  # "nicht" turns it round
    assert m.detect("die Küche brennt, jetzt geht es allen gut")  # a fire goes on while the others are fine


def test_an_eviction_long_ago_that_ended_well_raises_no_alarm() -> None:
    m = matcher_of(
        "en",
        {"homeless": ["=evicted"]},
        {Context.PAST: ["last year"], Context.OVER: ["=worked =out"]},
    )
    assert not m.detect("last year we were nearly evicted but it worked out")
    assert m.detect("last year we were evicted")  # homelessness goes on after a date long ago
    assert m.detect("we are evicted today, it worked out badly")  # no date long ago: now


def test_a_never_the_pattern_holds_is_not_turned_round_by_a_negation_beside_it() -> None:
    m = matcher_of(
        "pl",
        {"child_danger": ["=zabral + =nigdy ... =zobacze"]},
        {Context.NEGATION: ["=nie"], Context.NEVER: ["=nigdy"]},
    )
    assert m.detect("zabral corke i mowi ze juz nigdy jej nie zobacze")  # never see her again


def test_a_hypothetical_question_quiets_only_what_follows_it() -> None:
    m = matcher_of("en", {"medical": ["swallowed ... battery"]}, {Context.QUESTION: ["what ... do ... if"]})
    assert not m.detect("what do i do if my son swallowed a battery")
    assert m.detect("my son swallowed a battery, what do i do if he vomits")


def test_a_topic_word_touching_the_emergency_quiets_any_kind() -> None:
    m = matcher_of("de", {"suicide": ["*suizid*"], "violence": ["gewalt"]}, {Context.MENTION: ["*pravention*|kurs"]})
    assert not m.detect("ein Buch über Suizidprävention")  # the same word
    assert not m.detect("Kurs Gewalt")  # the next word
    assert m.detect("im Kurs habe ich erzählt von der Gewalt")  # further away: the topic is something else


def test_a_negation_quiets_only_between_the_words_and_never_one_the_pattern_holds() -> None:
    m = matcher_of(
        "en",
        {"violence": ["he ... hit", "=wont =let =me =leave", "hits =me"], "medical": ["=not =breathing"]},
        {Context.NEGATION: ["=not|=wont|=didnt"], Context.NEVER: ["never"]},
    )
    assert not m.detect("he did not hit anyone")
    assert m.detect("he wont let me leave")  # the NOT is the emergency
    assert m.detect("the baby is not breathing")  # and a medical emergency is never quieted by a negation
    assert m.detect("i do not know, she hits me")  # a plain "not" right before the words may end a clause
    assert not m.detect("nobody ever said so, she never hits me")  # "never" right before them may not


def test_a_negation_far_between_two_words_belongs_to_another_clause() -> None:
    m = matcher_of("pl", {"child_danger": ["dzieci ... same + wrocic"]}, {Context.NEGATION: ["=nie"]})
    assert m.detect("dzieci sa same w domu a ja nie moge wrocic")


def test_a_negation_speaks_only_for_its_own_language() -> None:
    patterns = [
        parse_pattern("=bije =mnie", "pl", Category.VIOLENCE),
        parse_pattern("=ne", "ku", None, context=Context.NEVER),
    ]
    assert Matcher(patterns).detect("ne bije mnie", None)


def test_violence_in_a_film_or_a_dream_is_no_alarm_but_violence_during_a_game_is() -> None:
    """Regression: "Ich habe Film gesehen, Mann schlägt Frau" raised an alarm: a pretend context quieted only fires,
    medical emergencies and children in danger, so a threat or a blow in play or in a story went on."""
    m = matcher_of(
        "en",
        {"violence": ["hit|hits|beats =me|=his|=her", "kill =you"]},
        {Context.PRETEND: ["=in =the =film", "=dreamt", "=when|=while =they =play|=playing"]},
    )
    assert not m.detect("in the film a man beats his wife, so sad")
    assert not m.detect("I dreamt he hit me")
    assert not m.detect("my son told his brother I'll kill you while they were playing")
    # A game that was on while it happened is no play: only words that make the violence play or a story quiet it.
    assert m.detect("he hit me during the game")
    assert m.detect("he hit me yesterday. The film is about something else")


def test_suicide_is_never_quieted_by_any_context() -> None:
    m = matcher_of(
        "de",
        {"suicide": ["nicht ... mehr leben"]},
        {kind: ["letztes jahr|falls|nie|wieder gut"] for kind in Context if kind != Context.KEEP},
    )
    assert m.detect("letztes Jahr falls ich nie mehr nicht mehr leben will, wieder gut")


def test_check_reports_an_unknown_context_kind_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "xx" / "emergency.yaml"
    path.parent.mkdir()
    lines = ["language: xx", "categories:"] + [f"  {c.value}: ['x{n}']" for n, c in enumerate(Category)]
    path.write_text("\n".join([*lines, "context:", "  someday:", "    - 'x'", "  past:", "    - 'a*'"]), "utf-8")
    _, _, problems = read_patterns(path, "xx")
    text = "\n".join(str(p) for p in problems)
    assert "unknown context 'someday'" in text and "emergency.yaml:11" in text
    assert "context past" in text and "too short" in text and "emergency.yaml:14" in text


# --- the office's files: present danger is never quieted; lines written for these tests, not taken from a set ---

PRESENT_DANGER = {
    "de": [
        "er hat gesagt er bringt mich um",
        "ich kann nicht mehr leben",
        "mein Baby atmet nicht",
        "er lässt mich nicht aus der Wohnung",
        "er hat mich nicht nur geschlagen, er hat mich auch gewürgt",
        "letzten Sommer hat er mich geschlagen und heute wieder",
        "letztes Jahr hat es gebrannt und jetzt brennt es wieder",
        "Hilfe, was mache ich wenn er nicht mehr atmet",
        "er krampft, früher hatte er das auch",
        "er hat Tabletten geschluckt, es geht ihm jetzt nicht gut",
        "ich weiss nicht, mein Mann schlägt mich",
        "meine Tochter ist verschwunden, die anderen sind wieder zuhause",
    ],
    "en": [
        "he won't let me leave",
        "the baby is not breathing",
        "i don't want to live anymore",
        "last year he broke my arm and now he's back and threatening me",
        "he is having a seizure, he had one last year too",
        "the kitchen is on fire, everyone is fine, we are outside",
        "the house was on fire when we got back home",
        "the baby stopped breathing in her sleep",
        "my son was watching tv and suddenly had a seizure",
        "my son was playing outside and fell from the wall, the ambulance is coming, he is not moving",
        "my son has been missing since last year",
    ],
    "pl": ["syn polknal tabletki i nie czuje sie dobrze", "nie zabijaj mnie, krzyczalam, a on mnie bil"],
    "ru": ["сын не вернулся из школы", "муж не выпускает меня из квартиры", "он упал и тогда перестал дышать"],
    "ar": ["زوجي عم يضربني", "جوزي ما بيخليني اطلع من البيت"],
    "tr": ["bebek nefes almiyor", "oglum okuldan eve donmedi"],
    "fa": ["شوهرم منو میزنه", "توی خواب نفسش بند اومد و کبود شده"],
    "uk": ["дитина не дихає", "чоловік не випускає мене з квартири"],
    "bg": ["бебето не диша", "мъжът ми не ме пуска да изляза"],
    "ro": ["copilul nu respira", "sotul nu ma lasa sa ies din casa"],
    "ku": ["mere min li min dixe", "mere min nahele ez derkevim"],
}

NOT_NOW = {
    "de": [
        "letzten Winter hatte mein Sohn einen Fieberkrampf, worauf muss ich achten",
        "was mache ich, falls mein Kind mal etwas Giftiges verschluckt",
        "mein Mann hat mich nie geschlagen, wir streiten nur viel",
        "unsere Tochter hat geträumt dass das Haus brennt",
        "er hat sich am Ofen verbrannt, aber jetzt ist alles wieder gut",
    ],
    "en": [
        "what should i do if my child ever swallows a battery",
        "he has never hit me, we just argue a lot",
        "two years ago our kitchen caught fire, now we have a new flat",
        "he bumped his head and was bleeding a bit but he's fine now",
        "i need a smoke detector for the new flat",
    ],
    "pl": ["rok temu mielismy pozar w kuchni", "maz nigdy mnie nie bil"],
    "tr": ["gecen yil evimizde yangin cikti", "intiharin onlenmesi hakkinda bir seminer var mi"],
    "ru": ["в прошлом году у нас был пожар", "эти экзамены меня убьют"],
    "uk": ["минулого року в нас була пожежа", "ці екзамени мене вб'ють"],
    "ro": ["anul trecut am avut un incendiu", "exista un curs despre prevenirea sinuciderii"],
    "bg": ["миналата година имахме пожар", "изгубихме паспорта на детето"],
    "ar": ["السنة الماضية صار حريق بالبيت", "الامتحانات رح تقتلني"],
    "fa": ["پارسال خونمون آتیش گرفت", "این امتحانا منو میکشه"],
    "ku": ["par agir bi mala me ket", "ezmunên dibistanê min dikujin"],
    # Regression: Sorani had no context at all, so a year long ago or a film still raised the alarm.
    "ckb": ["پارساڵ ئاگر لە چێشتخانەکەمان بەربوو", "فیلمێکمان بینی لەسەر منداڵێکی ون بوو"],
}


def test_present_danger_is_never_quieted_by_the_context_words_of_any_language(patterns_alone: Matcher) -> None:
    for lang, lines in PRESENT_DANGER.items():
        for active in ({lang, "de", "en"}, None):
            missed = [line for line in lines if not patterns_alone.detect(line, active)]
            assert missed == [], (lang, missed)


def test_what_is_long_ago_hypothetical_denied_or_dreamt_raises_no_alarm(patterns_alone: Matcher) -> None:
    for lang, lines in NOT_NOW.items():
        alarms = [line for line in lines if patterns_alone.detect(line, {lang, "de", "en"})]
        assert alarms == [], (lang, alarms)


def test_a_husband_back_from_work_who_wants_to_kill_is_no_idiom(patterns_alone: Matcher) -> None:
    # Regression: "work is killing me" was excluded with a gap, and silenced "came back from work and wants to kill me".
    assert patterns_alone.detect("جوزي رجع من الشغل وبدو يقتلني", {"ar", "de", "en"})
    assert not patterns_alone.detect("الشغل قتلني اليوم", {"ar", "de", "en"})


def test_a_child_missing_since_last_year_is_still_missing(patterns_alone: Matcher) -> None:
    # Regression: a "last year ... missing" exclusion removed the words before any "since" could keep them.
    assert patterns_alone.detect("my son has been missing since last year", {"en"})


def test_bulgarian_chat_spelling_with_w_for_sh_is_read(patterns_alone: Matcher) -> None:
    assert patterns_alone.detect("deteto ne diwa", {"bg"}) and patterns_alone.detect("deteto ne di6a", {"bg"})


def test_bulgarian_hard_sign_typed_as_a_or_u_is_read(patterns_alone: Matcher) -> None:
    for line in ("mazhat mi me bie", "muzhat mi me bie", "muzhut mi me bie"):
        assert patterns_alone.detect(line, {"bg"}), line


def test_persian_and_arabic_in_latin_letters_are_read(patterns_alone: Matcher) -> None:
    for lang, line in (("fa", "bache nafas nemikeshe"), ("fa", "dige nemikham zende basham"), ("ar", "ebni da3")):
        assert patterns_alone.detect(line, {lang}), line


def test_out_quiets_a_fire_before_it_unless_negated_and_never_anything_else() -> None:
    m = matcher_of(
        "de",
        {"fire": ["brennt"], "medical": ["bewusstlos"]},
        {Context.OUT: ["=geloscht"], Context.NEGATION: ["nicht"]},
    )
    assert not m.detect("die Pfanne brennt kurz, wir haben es geloscht")
    assert m.detect("es brennt, wir haben es nicht geloscht")  # negated: the fire goes on
    assert m.detect("wir haben es geloscht, jetzt brennt es im Flur")  # a fire after it is a new one
    assert m.detect("die Pfanne brannte, geloscht, aber er ist bewusstlos")  # never a medical emergency


def test_a_german_ordinal_does_not_end_the_sentence_a_pattern_needs() -> None:
    m = matcher_of("de", {"child_danger": ["=fenster + =steht + =stock"]}, {})
    assert m.detect("kind steht am fenster im 5. stock")  # "5." is the fifth floor, not a full stop
    # A real full stop still ends a sentence of more than five words before another one; a short one is read with its
    # neighbour (emerg7: learners write "Kind steht auf Fenster. 4. Stock."; emerg10d: whatever the neighbour's length).
    assert not m.detect("kind steht am fenster und winkt den nachbarn zu. wir wohnen seit einem jahr im 5. stock")
    assert m.detect("kind steht am fenster und winkt den nachbarn zu. 5. stock")
    assert m.detect("kind steht am fenster. 5. stock")


def test_a_line_that_laughs_is_a_joke_unless_the_danger_is_said_to_be_present() -> None:
    # Regression: "lips blue from the blueberries haha", "she'll kill me with her advice 😂" raised alarms in nine
    # languages.
    m = matcher_of(
        "en",
        {"medical": ["=lips =blue"], "violence": ["=kill =me"]},
        {Context.KEEP: ["=again", "=help"]},
    )
    for joke in (
        "his lips are blue from the jam haha",
        "grandma will kill me with her soup 😂",
        "my boss will kill me lol",
        "lips blue from the ice lolly :D",
        "lips blue ХАХА",
        "kill me ههههه",
        "kill me خخخ",
        "kill me ха-ха",
    ):
        assert not m.detect(joke), joke
    assert m.detect("his lips are blue 😭")  # crying is no laughter
    assert m.detect("his lips are blue, help! haha")  # a keep word says the danger is present
    assert m.detect("he says he will kill me at 8:00)")  # a time is no smiley
    assert m.detect("Hahn sagt er will kill me")  # a word that starts like laughter is none


def test_a_nervous_or_polite_smiley_does_not_silence_an_emergency() -> None:
    # Regression: the laughter rule took "sorry 😅 he says he will kill me" and "hello :) he will kill me" for jokes;
    # frightened people type a sweat smile or a polite smiley out of habit.
    m = matcher_of("en", {"violence": ["=kill =me"]}, {Context.KEEP: ["=again", "=help"]})
    for line in (
        "sorry to write so late 😅 he says he will kill me tonight",
        "hello :) my husband says he will kill me",
        "he will kill me 🙂 what do i do",
        "he will kill me ;)",
    ):
        assert m.detect(line), line


def test_a_story_in_a_film_or_series_is_no_emergency_here(patterns_alone: Matcher) -> None:
    # Regression: "bei Tatort ... Kindesentführung", "в мултфилма гасят пожар" were alarms: the medium stood before
    # the story without "about"/"where".
    for lang, line in (
        ("de", "im Krimi gestern wurde ein Kind entführt"),
        ("bg", "в мултфилма гасяха голям пожар"),
        ("en", "in the cartoon the house is on fire"),
    ):
        assert not patterns_alone.detect(line, {lang, "de", "en"}), line
    assert patterns_alone.detect("gestern wurde ein Kind entführt", {"de"})  # the same story without the medium


def test_violence_long_ago_that_ended_well_raises_no_alarm_but_long_ago_alone_does() -> None:
    # Regression: "years ago my ex beat me, now we live apart and all is well" alarmed in ku, de and pl sets.
    m = matcher_of(
        "en",
        {"violence": ["=beat =me"]},
        {Context.PAST: ["=years =ago"], Context.OVER: ["=now ... =well"], Context.KEEP: ["=again"]},
    )
    assert not m.detect("years ago my ex beat me, now we live apart and all is well")
    assert m.detect("years ago my ex beat me")  # the numbers still help
    assert m.detect("years ago my ex beat me, now he beat me again, well")  # present danger


def test_too_hot_is_no_sign_of_present_danger(patterns_alone: Matcher) -> None:
    # Regression: "too" was a keep word anywhere, so "water that's too hot kills the yeast :)" kept its alarm.
    assert not patterns_alone.detect("recipe: water that is too hot will kill the yeast haha", {"en"})


def test_a_run_on_line_keeps_the_parts_of_a_threat_together() -> None:
    # Regression: a forced marriage told in one long breath put "marry" eleven words after "15" and was missed.
    m = matcher_of("en", {"child_danger": ["=sister + =15 + =marry"]}, {})
    assert m.detect("my sister is 15 and they are sending her back to the village soon to marry a stranger")


def test_a_novel_a_childs_game_threat_fire_explained_and_help_long_past_raise_no_alarm(patterns_alone: Matcher) -> None:
    # Regression: round 6 alarmed on a crime novel where someone is poisoned, a child shouting "I'll kill you" when he
    # loses at a board game, explaining fire to a child, a fire drill, a stay in a women's shelter long past with
    # "now all is well", a birth followed by "now I am fine", and a baby who choked on milk and now laughs.
    for lang, line in (
        ("de", "Ich lese gerade einen Krimi, da wird jemand vergiftet, total spannend"),
        ("de", "Mein Kleiner sagt immer ich bring dich um wenn er beim Mensch ärgere dich nicht verliert"),
        ("de", "Wie erkläre ich meinem Kind was Feuer ist ohne ihm Angst zu machen?"),
        ("de", "Kita macht Übung mit Feuer-Alarm. Wann?"),
        ("de", "Früher wir waren im Frauenhaus. Jetzt eigene Wohnung. Alles gut."),
        ("en", "last year the police helped us and now everything is fine, he lives in another city"),
        ("pl", "syn jak przegrywa w grze krzyczy ze mnie zabije, skad on to ma?"),
        ("ru", "читаю детектив про отравление, не оторваться"),
        ("ro", "am avut depresie dupa nastere dar acum sunt bine, caut grup de mame"),
        ("ku", "pitik dema şir vedixwar hineki fetisi kuxiya u niha dikene"),
    ):
        assert not patterns_alone.detect(line, {lang, "de", "en"}), line
    for lang, line in (  # the same words where the danger is real
        ("de", "Mein Mann sagt immer ich bring dich um, heute hat er ein Messer"),
        ("en", "my brother in law says he'll murder me if i leave"),
        ("pl", "mąż krzyczy że mnie zabije"),
        ("ku", "zarok fetisî û niha nefes nastîne"),
    ):
        assert patterns_alone.detect(line, {lang, "de", "en"}), line


def test_a_parent_in_hospital_a_forced_night_a_farewell_and_a_whisper_for_polizei_are_recognised(
    patterns_alone: Matcher,
) -> None:
    # Regression: round 6 missed these concepts in most languages: nobody to fetch the children while the parent is in
    # hospital, sex forced every night against a no, "this is my last message" with the children handed over, a
    # whispered call for the German "Polizei" from the next room, and nights spent at the station with the children.
    for lang, line in (
        ("uk", "я в лікарні нема кому забрати дітей з кіти їм 3 і 5"),
        ("ar", "بيجبرني كل ليلة حتى لو قلت لا"),
        ("pl", "prosze przekazcie dzieci mojej siostrze w Opolu, to moja ostatnia wiadomosc"),
        ("ru", "ne mogu govorit on v sosednej komnate vyzovite Polizei pozhaluysta"),
        ("ku", "du şev in em bi pitike re li Bahnhofe radizen"),
    ):
        assert patterns_alone.detect(line, {lang, "de", "en"}), line
    for lang, line in (  # the same words in an everyday question
        ("tr", "son mesajımı aldınız mı? kreş başvurusu hakkındaydı"),
        ("en", "I'll be in hospital for an operation next month, is there childcare help?"),
        ("en", "my son forces me to read the same book every night haha"),
    ):
        assert not patterns_alone.detect(line, {lang, "de", "en"}), line


def test_fear_of_hurting_the_baby_a_door_broken_in_a_stiff_neck_with_fever_are_recognised(
    patterns_alone: Matcher,
) -> None:
    # Regression: round 6 missed a parent afraid to hurt the crying baby (typed in Latin letters), an ex threatening
    # to break the door down, a high fever with a stiff neck, and the means prepared; a stiff neck from sleeping
    # wrong and "my baby will get hurt" were alarms.
    for lang, line in (
        ("ar", "ana ta3bane ktir w 5ayfe a2zi el bebe iza dal ybki"),
        ("uk", "kolyshniy stoit pid dveryma vzhe hodynu i grozyt vybyty dveri"),
        ("ckb", "کوڕەکەم تای ٤٠ ی هەیە و ملی ڕەق بووە و وەڵامم ناداتەوە"),
        ("uk", "висипала всі таблетки на стіл, вже налила води"),
    ):
        assert patterns_alone.detect(line, {lang, "de", "en"}), line
    for line in (
        "my son has a stiff neck from sleeping wrong, no fever",
        "I'm scared my baby will get hurt at the park",
    ):
        assert not patterns_alone.detect(line, {"en", "de"}), line


def test_a_boy_missing_from_the_playground_is_no_game_and_children_alone_for_days_count(
    patterns_alone: Matcher,
) -> None:
    # Regression: Romanian "locul de joaca" (playground) read as "joaca" (a game) and took "disparut" away; "third
    # day" was not a span of days; "ما في حدا" written apart was a negation that quieted the parent in hospital.
    for lang, line in (
        ("ro", "baiatul a disparut de la locul de joaca de 2 ore politia nu vine"),
        ("ru", "за стенкой дети одни уже третий день, мать не появляется, они плачут"),
        ("ar", "انا بالمستشفى وما في حدا ياخد الولاد من الكيتا"),
    ):
        assert patterns_alone.detect(line, {lang, "de", "en"}), line
    assert not patterns_alone.detect("baiatul il bate uneori pe frate-su cand se joaca, e normal?", {"ro", "de", "en"})


def test_the_polizei_address_a_birth_in_hospital_and_a_last_message_for_today_raise_no_alarm(
    patterns_alone: Matcher,
) -> None:
    # Regression: my first round-6 patterns alarmed on look-alikes of my own: "Polizei" and "send" far apart (an
    # address), "hospital" and "nobody" with the children (nobody told me about child benefit), "my last message for
    # today" with the kids, "makes me laugh every night", sleeping at a sister's near the station.
    for lang, line in (
        ("en", "do I need to register at the Polizei now that we moved?"),
        ("ar", "لازم روح عالشرطة اعمل بلاغ عن محفظة ضايعة، ابعتولي العنوان"),
        ("tr", "hastanede doğum yaptım, kimse çocuk parası hakkında bilgi vermedi"),
        ("pl", "to moja ostatnia wiadomosc dzisiaj, dziekuje za pomoc z dziecmi"),
        ("en", "my husband makes me laugh every night, so sweet"),
        ("de", "wir übernachten heute bei Freunden am Bahnhof, morgen fahren wir zurück"),
    ):
        assert not patterns_alone.detect(line, {lang, "de", "en"}), line


def test_sorani_locked_in_a_head_threat_and_latin_typed_knife_and_fire_are_recognised(patterns_alone: Matcher) -> None:
    # Regression: round 6 missed in Sorani a husband who locked the family in and took the phone, a cousin's "I'll cut
    # your head off", and Latin-typed lines with a knife or a fire; a head that "splits" with pain stays none.
    for line in (
        "سڵاو کاتی ڕاوێژکاری کەیە؟ هەروەها مێردەکەم دەرگاکەی لێ داخستووین و مۆبایلەکەی لێ سەندم",
        "ئامۆزاکەم هەموو ڕۆژێک لە کیتاوە دوام دەکەوێت، ئێستا لە خوارەوەی باڵەخانەکەیە دەڵێت سەرت دەبڕم",
        "pyawakam chaqoy pia w hawar daka, mn w korpakam la hamam xoman dakhistwa",
        "agr la balkonakaman barbwa dukal hatota naw mal",
    ):
        assert patterns_alone.detect(line, {"ckb", "de", "en"}), line
    assert not patterns_alone.detect("سەرم دەبڕێت لە ئێشدا، دەرمانێک هەیە؟", {"ckb", "de", "en"})
