"""PhraseMatcher: how team leads' phrases match Hebrew and English utterances."""

from __future__ import annotations

import pytest

from app.rubrics.text import PhraseMatcher, normalize


def matches(phrase: str, text: str) -> bool:
    return PhraseMatcher([phrase]).find(text) == phrase


# --- normalisation ----------------------------------------------------------------------------


def test_normalize_lowercases_drops_punctuation_and_unifies_apostrophes() -> None:
    assert normalize("  I’VE   Told you, ALREADY!!  ") == "i've told you already"
    assert normalize("“That’s” — not‘ok’?") == "that's not'ok'"
    assert normalize("can't `stop`") == "can't 'stop'"


def test_normalize_hebrew_niqqud_geresh_and_maqaf() -> None:
    assert normalize("אַתְּ לֹא שׁוֹמַעַת!") == "את לא שומעת"
    assert normalize("פיצ׳ר") == "פיצ'ר"
    assert normalize("לא־מקשיבים") == "לא מקשיבים"


# --- English ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("did you know", "Did you know we also have an audio edition?"),
        ("did you know", "so... DID YOU KNOW"),
        ("did you know", "Hey, did, you know, that thing"),  # punctuation between words
        ("I've told you", "I’VE TOLD YOU!!"),  # curly apostrophe, case
        ("I've told you", "Look, I've told you twice."),
        ("you're not listening", "You’re not listening to me."),
        ("mm hm", "Mm-hm."),
        ("let me finish", "let   me\tfinish"),  # any whitespace
    ],
)
def test_english_matches(phrase: str, text: str) -> None:
    assert matches(phrase, text)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("did you know", "did you knowledge the request"),  # word boundary at the end
        ("did you know", "undid you know"),  # word boundary at the start
        ("did you know", "did you not know"),  # words must be adjacent without `*`
        ("roi", "the roibos tea"),
        ("sorry", "sorrynotsorry"),
        ("I've told you", "I have told you"),  # no contraction expansion
        ("let me finish", "let me finished"),  # no English endings
    ],
)
def test_english_non_matches(phrase: str, text: str) -> None:
    assert not matches(phrase, text)


def test_apostrophe_in_phrase_is_normalised_too() -> None:
    assert matches("I’ve told you", "I've told you")
    assert matches("that`s enough", "That's enough!")


# --- wildcard ---------------------------------------------------------------------------------


@pytest.mark.parametrize("between", ["", "actually ", "ever actually ", "one two three four "])
def test_wildcard_stands_for_up_to_four_words(between: str) -> None:
    assert matches("have you * tried", f"Have you {between}tried the new app?")


def test_wildcard_not_more_than_four_words() -> None:
    assert not matches("have you * tried", "have you one two three four five tried it")


def test_leading_wildcard() -> None:
    assert matches("* know", "you know")
    assert matches("* know", "know")


def test_hebrew_wildcard_after_prefix_letter() -> None:
    phrase = "יודע ש* יש לנו"
    assert matches(phrase, "אתה יודע שבחבילה יש לנו ערוץ ספורט")
    assert matches(phrase, "אתה יודע שיש לנו ערוץ ספורט")
    assert matches(phrase, "אתה יודע שבחבילה החדשה אצלנו יש לנו ערוץ")
    assert not matches(phrase, "אתה יודע בחבילה יש לנו")


def test_trailing_wildcard_matches_like_the_phrase_without_it() -> None:
    assert matches("did you know *", "did you know that we ship weekly")


def test_trailing_wildcard_after_hebrew_prefix_letter() -> None:
    assert matches("ידעת ש*", "ידעת שהממיר החדש כולל הקלטה?")


# --- Hebrew -----------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "ו", "ש", "וש", "כש", "ומה"])
def test_hebrew_one_letter_prefixes(prefix: str) -> None:
    assert matches("זה הנוהל", f"אני מצטערת, {prefix}זה הנוהל אצלנו.")


def test_hebrew_prefix_only_from_the_prefix_letters() -> None:
    assert not matches("זה הנוהל", "גזה הנוהל")
    # more than three prefix letters is not a prefix
    assert not matches("זה הנוהל", "ושבלזה הנוהל")


def test_lone_hebrew_prefix_letter_glues_to_next_word() -> None:
    assert matches("ידעת ש", "רגע, ידעת שהממיר החדש מקליט?")
    assert matches("בהשוואה ל", "בהשוואה למתחרים אנחנו זולים")
    assert not matches("ידעת ש", "ידעת")
    assert not matches("ידעת ש", "ידעת ש")  # the letter alone is no word to glue to
    assert not matches("ידעת ש", "ידעת כמה")


def test_lone_prefix_letter_in_the_middle_glues_too() -> None:
    assert matches("עובר ל המתחרים", "אני עובר להמתחרים")


@pytest.mark.parametrize("ending", ["", "ים", "ות", "ה", "ת", "י", "ו"])
def test_hebrew_plural_and_feminine_endings_on_last_word(ending: str) -> None:
    assert matches("הכי מהיר", f"האינטרנט שלנו הכי מהיר{ending} בשוק")


def test_hebrew_endings_only_on_the_last_word() -> None:
    assert matches("לא מקשיב", "את לא מקשיבה לי")
    assert matches("לא מקשיב", "אתם לא מקשיבים")
    assert not matches("מקשיב לי", "מקשיבה לי")  # the first word takes no ending
    assert not matches("הכי מהיר", "הכי מהירותו")  # not any suffix
    assert not matches("הכי מהיר", "הכי מהיריםשלנו")


def test_hebrew_endings_need_a_word_of_three_letters() -> None:
    # Two-letter last words take no ending: "לא יש" must not match "לא ישים".
    assert not matches("לא יש", "זה לא ישים")


def test_hebrew_niqqud_and_punctuation_in_text() -> None:
    assert matches("את לא שומעת", "אַתְּ לֹא שׁוֹמַעַת!!!")
    assert matches("פיצ'ר", "יש לנו פיצ׳ר חדש")
    assert matches("לא מקשיבים", "לא-מקשיבים פה לאף אחד")


def test_hebrew_phrase_does_not_match_inside_a_word() -> None:
    assert not matches("הנחה", "ההנחיה")
    assert not matches("כולל", "כוללני")


# --- the matcher ------------------------------------------------------------------------------


def test_find_returns_first_listed_phrase_and_find_all_every_one() -> None:
    m = PhraseMatcher(["sorry", "I hear you", "nothing here"])
    text = "I hear you, and I'm sorry."
    assert m.find(text) == "sorry"
    assert m.find_all(text) == ["sorry", "I hear you"]
    assert m.find("all good") is None
    assert m.find_all("all good") == []


def test_empty_phrases_are_dropped() -> None:
    m = PhraseMatcher(["", "  ", "?!", "ok then"])
    assert m.phrases == ["ok then"]
    assert bool(m)
    assert not PhraseMatcher([])
    assert not PhraseMatcher(["...", ""])
    assert PhraseMatcher(["", "..."]).find("anything at all") is None


@pytest.mark.parametrize(
    ("phrase", "text"),
    [("משתלם", "אנחנו הכי משתלמים בשוק"), ("לקוח", "הלקוחות שלנו"), ("קו", "הקווים")],
)
def test_hebrew_final_letter_turns_ordinary_before_an_ending(phrase: str, text: str) -> None:
    if phrase == "קו":  # two letters: no endings at all
        assert PhraseMatcher([phrase]).find(text) is None
        return
    assert PhraseMatcher([phrase]).find(text) == phrase
    assert PhraseMatcher([phrase]).find("זה " + phrase) == phrase
    assert PhraseMatcher([phrase]).find(phrase[:-1] + "ים") is None  # the final form needs its own


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("It's not about the price at all.", None),
        ("It's the price, honestly.", "price"),
        ("זה לא המחיר, זה השירות", None),
        ("המחיר עלה שוב", "מחיר"),
    ],
)
def test_find_asserted_skips_a_negated_phrase(text: str, found: str | None) -> None:
    assert PhraseMatcher(["price", "מחיר"]).find_asserted(text) == found


def test_hebrew_plural_matches_either_gender() -> None:
    assert matches("אנחנו נשארים", "טוב, אם היא חוזרת אנחנו נשארות")
    assert matches("מרוצות", "אנחנו מרוצים מאוד")
    assert not matches("אנחנו נשארים", "אנחנו נשארנו")
    # a word of four letters ending so is mostly a singular noun: עלות (cost) is no plural of עלים
    # (leaves), טעות (a mistake) none of טעים (tasty)
    assert not matches("עלות", "חצי מהעלים בארגז נבולים")
    assert not matches("טעות", "זה היה טעים")
    assert matches("עלות", "העלות גבוהה מדי")


def test_sentences_split_after_end_marks_and_dashes() -> None:
    from app.rubrics.text import split_sentences

    assert split_sentences("Well. A month is free! Alright? Fine… go on") == [
        "Well.",
        "A month is free!",
        "Alright?",
        "Fine…",
        "go on",
    ]
    assert split_sentences("טוב. תשכח מהביטול - אני ממשיך") == ["טוב.", "תשכח מהביטול", "אני ממשיך"]
    assert split_sentences("no end mark") == ["no end mark"]
