"""Reading time, the in-memory run of the engine and the pool health per setting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddles import rotation
from huddles.rotation.simulate import days_without_repeat
from huddles.topics import health, reading
from huddles.topics.files import TopicData

THEMES = rotation.DEFAULT_TEMPLATE.weekday_themes


def data(slug: str, kind: str, **fields) -> TopicData:
    return TopicData(slug=slug, kind=kind, title=fields.pop("title", "T"), **fields)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("One two three.", 3),
        ("**Today:** say it — once.", 4),
        ("Don’t say 'no'; say the 10-5-3 greeting at the front-desk.", 10),
        ("- a list\n- of *three* items\n\n> quoted", 6),
        ("Добрый день, гость!", 3),
        ("مرحبا بكم", 2),
        ("-- --- *** ...", 0),
        ("Read [the guide](https://example.com/a-long-path) now.", 4),
        ("<em>two</em> words", 2),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert reading.count_words(text) == words


def test_reading_words_count_title_body_prompt_and_the_phrases_of_a_lexicon() -> None:
    tip = data("t", "tip", title="A title", body="Body of four words.", prompt="Why not?")
    assert reading.reading_words(tip) == 2 + 4 + 2
    phrase = data(
        "p",
        "lexicon",
        title="Say this",
        body="Body.",
        prompt="Ok?",
        avoid="No.",
        say_instead="Yes!",
    )
    assert reading.reading_words(phrase) == 2 + 1 + 1 + 1 + 1


def test_the_limits_of_the_default_slots() -> None:
    assert reading.slot_minutes("tip") == 2 and reading.slot_minutes("lexicon") == 0.5
    assert reading.word_limit(2) == 225 and reading.word_limit(0.5) == 56


def test_offenders_are_the_topics_over_their_limit() -> None:
    long_tip = data("long", "tip", body="word " * 224)  # + the title: 225
    longer_tip = data("longer", "tip", body="word " * 225)
    phrase = data("phrase", "lexicon", body="word " * 50, avoid="a b c", say_instead="d e f")
    offenders = reading.reading_offenders([long_tip, longer_tip, phrase])
    assert [(o.slug, o.words, o.limit) for o in offenders] == [
        ("longer", 226, 225),
        ("phrase", 57, 56),
    ]


def library(per_kind: int, settings_of: tuple[str, ...], prefix: str = "") -> list[TopicData]:
    """`per_kind` topics a theme day of the week, and a phrase a day, for some settings."""
    topics = []
    for kind in set(THEMES):
        for n in range(per_kind * THEMES.count(kind)):
            slug = f"{prefix}{kind}-{n}"
            topics.append(data(slug, kind, status="published", settings=settings_of))
    for n in range(per_kind * 7):
        topics.append(
            data(f"{prefix}phrase-{n}", "lexicon", status="published", settings=settings_of)
        )
    return topics


@settings(max_examples=25, deadline=None)
@given(start=st.dates(date(2024, 1, 1), date(2030, 12, 31)))
def test_13_topics_a_theme_day_last_any_quarter(start: date) -> None:
    hotel = library(13, ("hotel",), "hotel-")
    shop = library(13, ("retail",), "shop-")
    result = health.setting_health(hotel + shop, "hotel", start, horizon=120)
    assert result.days == {"topic": 91, "phrase": 91}
    assert result.pools["habit"] == 26 and result.pools["wow-story"] == 13


def test_one_topic_short_repeats_within_the_quarter() -> None:
    topics = library(13, ("hotel",))
    topics = [t for t in topics if t.slug != "recovery-0"]
    result = health.setting_health(topics, "hotel", date(2027, 1, 1), horizon=91)
    assert result.days["topic"] < 91 and result.days["phrase"] == 91
    assert not result.lasts_a_quarter


def test_topics_of_another_setting_do_not_stretch_the_pool() -> None:
    """The engine prefers a fitting repeat over a stranger: a shop story never fills in."""
    topics = library(13, ("hotel",)) + library(13, ("retail",), "shop-")
    topics = [t for t in topics if t.slug != "hotel-tip-0" and t.slug != "tip-0"]
    result = health.setting_health(topics, "hotel", date(2027, 1, 1), horizon=91)
    assert result.days["topic"] < 91


def test_a_seasonal_topic_counts_only_in_its_season() -> None:
    topics = library(13, ())
    winter = data(
        "winter-tip",
        "tip",
        status="published",
        season_start="12-15",
        season_end="01-15",
    )
    spare = [t for t in topics if t.slug != "tip-0"] + [winter]
    # In winter the seasonal tip stands in for the missing one; in summer it cannot.
    assert health.setting_health(spare, "other", date(2026, 12, 1), horizon=91).days["topic"] < 91
    in_winter = health.setting_health(spare, "other", date(2026, 12, 20), horizon=26)
    assert in_winter.days["topic"] == 26
    assert health.setting_health(spare, "other", date(2027, 6, 1), horizon=91).days["topic"] < 91


def test_days_without_repeat_stops_at_an_empty_slot() -> None:
    template = rotation.DEFAULT_TEMPLATE
    only_phrases = [rotation.Candidate(f"p{n}", "lexicon", None) for n in range(5)]
    days = days_without_repeat(template, only_phrases, date(2027, 1, 4), 30)
    assert days == {"phrase": 5, "topic": 0}


def test_a_season_across_new_year_is_in_season_only_then() -> None:
    season = rotation.Season("12-01", "01-06")
    days = [date(2026, 11, 20) + timedelta(days=n) for n in range(60)]
    inside = [day for day in days if season.contains(day)]
    assert inside[0] == date(2026, 12, 1) and inside[-1] == date(2027, 1, 6)
    assert len(inside) == 37
