"""A topic's slug derived from its title when none is given: unique, with -2, -3 … if taken."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from huddles.extensions import db
from huddles.topics.files import MAX_SLUG, RESERVED_SLUGS
from huddles.topics.models import Topic

# Letters that do not decompose into a base letter and an accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "đ": "d"})
# Room for "-" and a number within the column.
_BASE_LIMIT = MAX_SLUG - 8


def slugify(title: str) -> str:
    """Lowercase a-z, 0-9 and single hyphens; "topic" when no Latin letter is left."""
    ascii_text = (
        unicodedata.normalize("NFKD", title.translate(_FOLD)).encode("ascii", "ignore").decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:_BASE_LIMIT].rstrip("-")
    if not slug or slug in RESERVED_SLUGS:
        slug = f"topic-{slug}" if slug else "topic"
    return slug


def free_slug(title: str) -> str:
    """The title's slug, or the first of slug-2, slug-3 … that no topic has (one statement)."""
    base = slugify(title)
    # A slug holds no LIKE wildcards (% or _), so the pattern is exact.
    taken = set(
        db.session.scalars(
            sa.select(Topic.slug).where(sa.or_(Topic.slug == base, Topic.slug.like(base + "-%")))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
