"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from huddles.agenda.models import Agenda, AgendaItem, AgendaTemplate, JobRun, Pin, TopicUsage
from huddles.attendance.models import Attendance, CatchUp
from huddles.auth.models import ApiToken, User, UserSession
from huddles.displays.models import Display, DisplayState
from huddles.kudos.models import Kudos
from huddles.org.models import Location, Organisation, RosterEntry, Shift
from huddles.page_cache import PageVersion
from huddles.stories.models import Story
from huddles.topics.models import Topic, TopicRevision
from huddles.webhooks.models import WebhookDelivery

__all__ = [
    "Agenda",
    "AgendaItem",
    "AgendaTemplate",
    "ApiToken",
    "Attendance",
    "CatchUp",
    "Display",
    "DisplayState",
    "JobRun",
    "Kudos",
    "Location",
    "Organisation",
    "PageVersion",
    "Pin",
    "RosterEntry",
    "Shift",
    "Story",
    "Topic",
    "TopicRevision",
    "TopicUsage",
    "User",
    "UserSession",
    "WebhookDelivery",
]
