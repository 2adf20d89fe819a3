"""The admin page that imports people from a CSV: upload, preview (a dry run), then import."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from huddles.auth import service as auth_service
from huddles.auth.access import admin_required
from huddles.auth.links import set_password_link
from huddles.org import people_import
from huddles.org.forms import ConfirmForm
from huddles.validation import FieldError

bp = Blueprint("people_import", __name__, url_prefix="/admin")


def _invite_links(report: people_import.ImportReport) -> list[tuple[str, str, str]]:
    secret = current_app.config["SECRET_KEY"]
    return [
        (
            person.name,
            person.email,
            set_password_link(auth_service.make_set_password_token(person, secret)),
        )
        for person in people_import.created_people(report)
    ]


@bp.route("/people/import", methods=["GET", "POST"])
@admin_required
def upload():
    context: dict = {"confirm": ConfirmForm(), "columns": people_import.COLUMNS}
    if request.method == "GET":
        return render_template("org/import.html", **context)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    apply = request.form.get("action") == "import"
    try:
        if apply:
            text = request.form.get("csv_text", "")
        else:
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise FieldError("file", _("Choose a CSV file to upload."))
            text = people_import.decode(upload.read(people_import.MAX_BYTES + 1))
        report = people_import.import_people(current_user.organisation, text, dry_run=not apply)
    except FieldError as error:
        return render_template("org/import.html", error=error.message, **context), 422
    return render_template(
        "org/import.html",
        report=report,
        csv_text=text,
        links=_invite_links(report) if apply else [],
        **context,
    )
