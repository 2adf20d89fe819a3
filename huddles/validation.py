"""Errors that name the field at fault, shared by forms, the API and the CLI."""

from __future__ import annotations

from typing import Any


class FieldError(ValueError):
    """Input that cannot be accepted; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def attach_to_form(form: Any, error: FieldError) -> None:
    """Show a service's FieldError next to the form field of the same name (or at the top)."""
    field = getattr(form, error.field, None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
