"""How long a topic takes to read aloud, and whether that fits its slot of the huddle.

The rule the writers work to: what a slot shows is read at 150 words a minute in at most
three quarters of the slot's minutes, leaving the rest for the team. For the default
template that is at most 225 words for the 2-minute topic and 56 for the 30-second phrase.

A word is a run of letters or digits, which may be joined by an apostrophe or a hyphen
("don't", "10-5-3", "front-desk" are one word each). Markdown marks, dashes and other
punctuation are not words, nor are the addresses of links and images (their text is).
Counted are the title, the text and the question, and for a lexicon phrase also the words
to avoid and what to say instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from huddles.rotation import DEFAULT_TEMPLATE, Template
from huddles.topics.files import TopicData

WORDS_PER_MINUTE = 150
READING_SHARE = 0.75
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# "[text](https://...)" and "![alt](path)": only the text is read aloud; so are HTML tags not.
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")


def count_words(text: str | None) -> int:
    """The words of a text, by the rule above."""
    plain = _TAG.sub(" ", _LINK_TARGET.sub("] ", text or ""))
    return len(_WORD.findall(plain))


def reading_words(topic: TopicData) -> int:
    """The words read aloud when the topic is shown: title, text, question (and the phrases)."""
    parts = [topic.title, topic.body, topic.prompt]
    if topic.kind == "lexicon":
        parts += [topic.avoid or "", topic.say_instead or ""]
    return sum(count_words(part) for part in parts)


def word_limit(minutes: float) -> int:
    """The most words a slot of `minutes` can hold: 150 a minute in three quarters of it."""
    return math.floor(minutes * WORDS_PER_MINUTE * READING_SHARE)


def slot_minutes(kind: str, template: Template = DEFAULT_TEMPLATE) -> float | None:
    """The minutes of the slot that shows topics of `kind`: its own slot, else the themed one."""
    rotation_slots = [slot for slot in template.slots if slot.fill == "rotation"]
    fixed = [slot.minutes for slot in rotation_slots if slot.kind == kind]
    if fixed:
        return min(fixed)
    themed = [slot.minutes for slot in rotation_slots if slot.kind is None]
    return min(themed) if themed else None


@dataclass(frozen=True)
class Offender:
    """A topic that takes longer to read than its slot allows."""

    slug: str
    kind: str
    words: int
    limit: int


def reading_offenders(
    topics: Iterable[TopicData], template: Template = DEFAULT_TEMPLATE
) -> list[Offender]:
    """The topics whose reading does not fit their slot, longest first."""
    offenders = []
    for topic in topics:
        minutes = slot_minutes(topic.kind, template)
        if minutes is None:
            continue
        words, limit = reading_words(topic), word_limit(minutes)
        if words > limit:
            offenders.append(Offender(topic.slug, topic.kind, words, limit))
    return sorted(offenders, key=lambda o: (o.limit - o.words, o.slug))
