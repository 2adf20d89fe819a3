"""The health of the library per setting: how long it lasts without a repeat, and its pools.

Pure: it runs the real rotation engine in memory over topic data (from files or the
database) with the default template, and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from huddles import rotation, seasons
from huddles.org.models import SETTINGS
from huddles.rotation.simulate import days_without_repeat
from huddles.topics.files import TopicData
from huddles.topics.models import KINDS

# A quarter without a repeat is the promise (issue 13); the run looks at most a year ahead.
QUARTER_DAYS = 91
HORIZON_DAYS = 365


def fits(topic: TopicData, setting: str) -> bool:
    """Whether a topic fits a location of `setting` (made for it, or for every setting)."""
    return not topic.settings or setting in topic.settings


def candidates_for(
    topics: Iterable[TopicData], setting: str, start: date, end: date
) -> list[rotation.Candidate]:
    """The published topics as the engine sees them at a location of `setting`, never used,
    for days from `start` to `end` (a season that moves is resolved to its dates then)."""
    return [
        rotation.Candidate(
            slug=topic.slug,
            kind=topic.kind,
            last_used=None,
            season=seasons.for_engine(topic.season, start, end),
            fits=fits(topic, setting),
        )
        for topic in topics
        if topic.status == "published"
    ]


@dataclass(frozen=True)
class SettingHealth:
    """How the library serves one setting from a start day."""

    setting: str
    # Per rotation slot of the template ("topic", "phrase"): days before the first repeat.
    days: dict[str, int]
    # Per kind: the published topics that fit the setting (seasonal ones included).
    pools: dict[str, int]
    seasonal: int

    @property
    def shortest(self) -> int:
        """The days before the first repeat in any slot."""
        return min(self.days.values(), default=0)

    @property
    def lasts_a_quarter(self) -> bool:
        """Whether no slot repeats within 91 days."""
        return self.shortest >= QUARTER_DAYS


def setting_health(
    topics: Iterable[TopicData],
    setting: str,
    start: date,
    *,
    template: rotation.Template = rotation.DEFAULT_TEMPLATE,
    horizon: int = HORIZON_DAYS,
) -> SettingHealth:
    """Run the engine day by day from `start` for a location of `setting`."""
    library = [topic for topic in topics if topic.status == "published"]
    fitting = [topic for topic in library if fits(topic, setting)]
    pools = Counter(topic.kind for topic in fitting)
    days = days_without_repeat(
        template,
        candidates_for(library, setting, start, start + timedelta(days=horizon)),
        start,
        horizon,
        f"check:{setting}",
    )
    return SettingHealth(
        setting=setting,
        days=days,
        pools={kind: pools.get(kind, 0) for kind in KINDS},
        seasonal=sum(1 for topic in fitting if topic.seasonal),
    )


def library_health(
    topics: Iterable[TopicData],
    start: date,
    *,
    settings: Iterable[str] = SETTINGS,
    template: rotation.Template = rotation.DEFAULT_TEMPLATE,
    horizon: int = HORIZON_DAYS,
) -> list[SettingHealth]:
    """The health of the library for every setting."""
    library = list(topics)
    return [
        setting_health(library, setting, start, template=template, horizon=horizon)
        for setting in settings
    ]
