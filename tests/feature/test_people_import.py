"""Roster import: `flask people import FILE.csv` and the admin upload with its preview."""

from __future__ import annotations

import io
import re
from datetime import time

import pytest
import sqlalchemy as sa

from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import RosterEntry
from huddles.org.people_import import decode, import_people
from huddles.validation import FieldError
from tests.conftest import open_set_password_link

HEADER = "name,email,role,location,shifts\n"


@pytest.fixture
def late(world, make_shift):
    return make_shift(world.here, "Late", time(15, 0))


def _csv(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


def _shifts_of(email: str) -> set[str]:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    return {
        name
        for (name,) in db.session.execute(
            sa.text(
                "SELECT s.name FROM shifts s JOIN roster_entries r ON r.shift_id = s.id "
                "WHERE r.user_id = :id"
            ),
            {"id": user.id},
        )
    }


def test_the_cli_creates_updates_and_reports_by_line(runner, world, late, tmp_path):
    path = tmp_path / "team.csv"
    path.write_text(
        _csv(
            "Mia Novak,Mia@Example.com,staff,Harbour Hotel,Early;Late",
            f"Sam Renamed,{world.staff.email},lead,Harbour Hotel,Late",
            "Nobody,not-an-email,staff,Harbour Hotel,",
            "Rita Role,rita@example.com,boss,Harbour Hotel,",
            "Lou Lost,lou@example.com,staff,Atlantis,",
            "Ed Shift,ed@example.com,staff,Harbour Hotel,Night",
            "Mia Again,mia@example.com,staff,Harbour Hotel,",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["people", "import", str(path)])
    out = result.output
    assert result.exit_code == 1, out  # some lines were rejected
    assert "line 2: created mia@example.com" in out
    assert f"line 3: updated {world.staff.email}" in out
    assert "line 4: rejected" in out and "not a valid email" in out
    assert "line 5: rejected" in out and "Unknown role boss" in out
    assert "line 6: rejected" in out and "no location named Atlantis" in out
    assert "line 7: rejected" in out and "no shift named Night" in out
    assert "line 8: rejected" in out and "already on line 2" in out
    assert "1 created, 1 updated, 0 unchanged, 5 rejected" in out
    assert "invite mia@example.com: /set-password#" in out and "/set-password/" not in out
    mia = db.session.scalar(sa.select(User).where(User.email == "mia@example.com"))
    assert mia.name == "Mia Novak" and mia.role == "staff" and mia.password_hash is None
    assert _shifts_of("mia@example.com") == {"Early", "Late"}
    db.session.refresh(world.staff)
    assert world.staff.name == "Sam Renamed" and world.staff.role == "lead"
    assert _shifts_of(world.staff.email) == {"Late"}
    for email in ("rita@example.com", "lou@example.com", "ed@example.com"):
        assert db.session.scalar(sa.select(User).where(User.email == email)) is None
    # The same file again changes nothing.
    again = runner.invoke(args=["people", "import", str(path)])
    assert "0 created, 0 updated, 2 unchanged, 5 rejected" in again.output
    assert "invite" not in again.output


@pytest.mark.parametrize("app_config", [{"HUDDLES_PUBLIC_URL": "https://huddles.example.org/"}])
def test_the_cli_prints_links_under_the_public_address_that_open(runner, client, world, tmp_path):
    path = tmp_path / "team.csv"
    path.write_text(_csv("Mia Novak,mia@example.com,staff,Harbour Hotel,Early"))
    out = runner.invoke(args=["people", "import", str(path)]).output
    link = re.search(r"invite mia@example.com: (https://huddles.example.org/set-password#\S+)", out)
    assert link, out
    claimed = open_set_password_link(client, link.group(1))
    assert claimed.headers["Location"] == "/set-password"
    assert "Choose a password for mia@example.com" in client.get("/set-password").get_data(
        as_text=True
    )


def test_a_dry_run_writes_nothing(runner, world, tmp_path):
    path = tmp_path / "team.csv"
    path.write_text(_csv("Mia Novak,mia@example.com,staff,Harbour Hotel,Early"))
    result = runner.invoke(args=["people", "import", str(path), "--dry-run"])
    assert result.exit_code == 0
    assert "dry run, nothing written: 1 created" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "mia@example.com")) is None


def test_pipes_separate_shifts_too_and_names_match_without_case(world, late, organisation):
    report = import_people(
        organisation,
        _csv('"Ana Ruiz","ana@example.com","STAFF","harbour hotel","early | LATE"'),
        dry_run=False,
    )
    assert report.counts["created"] == 1
    assert _shifts_of("ana@example.com") == {"Early", "Late"}


def test_an_empty_shifts_cell_keeps_a_persons_shifts(world, organisation):
    report = import_people(
        organisation, _csv(f"Sam Staff,{world.staff.email},staff,Harbour Hotel,"), dry_run=False
    )
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert _shifts_of(world.staff.email) == {"Early"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,email,role\nA,a@example.com,staff\n", "missing: location, shifts"),
        ("", "The file is empty."),
    ],
)
def test_file_level_problems_write_nothing(world, organisation, text, message):
    with pytest.raises(FieldError) as caught:
        import_people(organisation, text, dry_run=False)
    assert message in caught.value.message
    assert caught.value.field == "file"


def test_a_file_that_is_not_utf8_is_refused_with_its_line():
    data = (HEADER + "Zoë Müller,zoe@example.com,staff,Harbour Hotel,\n").encode("latin-1")
    with pytest.raises(FieldError) as caught:
        decode(data)
    assert "not UTF-8 (line 2)" in caught.value.message
    assert decode(b"\xef\xbb\xbf" + HEADER.encode()).startswith("name,")


def test_an_email_of_another_organisation_is_refused_without_naming_anyone(world, organisation):
    from huddles.org.models import Organisation

    other = Organisation(name="Elsewhere")
    db.session.add(other)
    db.session.flush()
    db.session.add(
        User(organisation=other, name="Secret Person", email="x@example.com", role="admin")
    )
    db.session.commit()
    report = import_people(
        organisation, _csv("X,x@example.com,staff,Harbour Hotel,"), dry_run=False
    )
    line = report.lines[0]
    assert line.outcome == "rejected" and "Secret" not in line.message


def test_the_admin_page_previews_then_imports_with_invite_links(client, login, world, late):
    login(world.admin)
    assert client.get("/admin/people/import").status_code == 200
    text = _csv(
        "Mia Novak,mia@example.com,staff,Harbour Hotel,Early",
        "Bad Line,bad,staff,Harbour Hotel,",
    )
    preview = client.post(
        "/admin/people/import",
        data={"action": "preview", "file": (io.BytesIO(text.encode()), "team.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Preview: nothing is saved yet" in html and "not a valid email" in html
    assert db.session.scalar(sa.select(User).where(User.email == "mia@example.com")) is None
    done = client.post("/admin/people/import", data={"action": "import", "csv_text": text})
    html = done.get_data(as_text=True)
    assert "Imported" in html and "http://localhost/set-password#" in html
    assert "/set-password/" not in html
    mia = db.session.scalar(sa.select(User).where(User.email == "mia@example.com"))
    assert mia is not None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(RosterEntry).where(RosterEntry.user_id == mia.id)
        )
        == 1
    )


def test_the_upload_refuses_a_wrong_file_next_to_the_field(client, login, world):
    login(world.admin)
    response = client.post(
        "/admin/people/import",
        data={"action": "preview", "file": (io.BytesIO(b"\xff\xfe\x00a"), "team.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)
    missing = client.post("/admin/people/import", data={"action": "preview"})
    assert missing.status_code == 422


@pytest.mark.parametrize("role", ["lead", "staff"])
def test_the_import_page_is_for_admins(client, login, world, role):
    login(world.by_role(role))
    assert client.get("/admin/people/import").status_code == 403
