"""Errors that name the field at fault, shared by forms, the API and the CLI."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from huddles.extensions import db


class FieldError(ValueError):
    """Input that cannot be accepted; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def commit_or_field_error(field: str, message: str) -> None:
    """Commit; a unique constraint that fires (a race) becomes a FieldError, nothing half-saved."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise FieldError(field, message) from None


def attach_to_form(form: Any, error: FieldError) -> None:
    """Show a service's FieldError next to the form field of the same name (or at the top)."""
    field = getattr(form, error.field, None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
