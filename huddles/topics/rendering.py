"""Topic text for pages: Markdown rendered and sanitised, and a revision in a reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import markdown
import nh3
from markupsafe import Markup

if TYPE_CHECKING:
    from huddles.topics.models import TopicRevision

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "b",
        "em",
        "i",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
TRANSLATED_FIELDS = ("title", "prompt", "body", "avoid", "say_instead")


def _only_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    # nh3 lets relative URLs through; a topic links only to http(s) pages and e-mail addresses.
    if attribute != "href":
        return value
    bare = "".join(ch for ch in value if ch > " " and ch != "\x7f").lower()
    return value if bare.startswith(("http://", "https://", "mailto:")) else None


def sanitise_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes of a piece of HTML."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_only_absolute_links,
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that is safe to put on a page: no script, handler, style or odd URL."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return Markup(sanitise_html(html))  # noqa: S704  (sanitised by nh3 just above)


@dataclass(frozen=True)
class LocalizedTopic:
    """A revision's reader-facing text in one language (English where no translation exists)."""

    title: str
    prompt: str
    body: str
    avoid: str | None
    say_instead: str | None
    lang: str
    # The fields shown in English because the translation lacks them (none for English).
    untranslated: tuple[str, ...] = ()

    @property
    def in_english(self) -> bool:
        """Asked in another language, but (some of) the text is the English original."""
        return bool(self.untranslated)


def language_of(locale: str | None) -> str:
    """The language part of a locale ("pt_BR", "ar-EG": "pt", "ar"); English when none."""
    return (locale or "en").split("_")[0].split("-")[0].lower()


def localized(revision: TopicRevision, locale: str | None) -> LocalizedTopic:
    """The translation's fields for `locale` where present, else (field by field) English."""
    language = language_of(locale)
    translations = revision.translations or {}
    translation = translations.get(language) if language != "en" else None
    if not isinstance(translation, dict):
        translation = {}
    values: dict[str, str | None] = {}
    used = False
    untranslated: list[str] = []
    for name in TRANSLATED_FIELDS:
        own = getattr(revision, name)
        given = translation.get(name)
        if isinstance(given, str) and given.strip():
            values[name] = given
            used = True
        else:
            values[name] = own
            if language != "en" and own:
                untranslated.append(name)
    return LocalizedTopic(
        title=values["title"] or "",
        prompt=values["prompt"] or "",
        body=values["body"] or "",
        avoid=values["avoid"],
        say_instead=values["say_instead"],
        lang=language if used else "en",
        untranslated=tuple(untranslated),
    )
