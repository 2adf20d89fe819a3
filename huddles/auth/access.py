"""Who may see and change what. Every view calls one of these; nothing relies on hidden links."""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import Location, Shift

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed in and with one of these roles, else 401/403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403, _("This needs the role: %(roles)s.", roles=", ".join(roles)))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


admin_required = roles_required("admin")


def can_read_location(user: User, location: Location) -> bool:
    """Admins read every location of their organisation; others only their own."""
    if user.organisation_id != location.organisation_id:
        return False
    return user.is_admin or user.location_id == location.id


def can_lead_location(user: User, location: Location) -> bool:
    """Admins, and the leads of that location."""
    if user.organisation_id != location.organisation_id:
        return False
    return user.is_admin or (user.is_lead and user.location_id == location.id)


def location_for(user: User, location_id: int, *, lead: bool = False) -> Location:
    """The location if the user may read it (or lead it), else 404/403 with a clear message."""
    location = db.session.get(Location, location_id)
    if location is None or location.organisation_id != user.organisation_id:
        abort(404, _("There is no location %(id)s.", id=location_id))
    allowed = can_lead_location(user, location) if lead else can_read_location(user, location)
    if not allowed:
        abort(403, _("You do not have access to the location %(name)s.", name=location.name))
    return location


@functools.cache
def _shift_query() -> sa.Select[tuple[Shift]]:
    """The shift and its location: built once, its id bound (most requests start here)."""
    return (
        sa.select(Shift)
        .options(joinedload(Shift.location))
        .where(Shift.id == sa.bindparam("shift_id"))
        .execution_options(populate_existing=True)
    )


def shift_for(user: User, shift_id: int, *, lead: bool = False) -> Shift:
    """The shift if the user may read (or lead) its location, else 404/403."""
    # One statement for the shift and its location, even when the shift is in the session.
    shift = db.session.scalars(_shift_query(), {"shift_id": shift_id}).first()
    if shift is None or shift.location.organisation_id != user.organisation_id:
        abort(404, _("There is no shift %(id)s.", id=shift_id))
    location_for(user, shift.location_id, lead=lead)
    return shift


def visible_locations(user: User) -> list[Location]:
    """The locations a person may read, by name."""
    query = sa.select(Location).where(Location.organisation_id == user.organisation_id)
    if not user.is_admin:
        query = query.where(Location.id == user.location_id)
    return list(db.session.scalars(query.order_by(Location.name)))
