"""Profile the benched pages in one process: `python -m tests.profile_pages [URL] [page]`.

Signs the demo lead in on a test client against the bench database (see tests/bench_http.py),
requests each page a few times with cProfile on, and prints the functions that take the most
time and the SQL statements one request makes.
"""

from __future__ import annotations

import cProfile
import pstats
import sys

import sqlalchemy as sa

from huddles import create_app
from huddles.auth.models import User
from huddles.extensions import db
from tests.bench_http import DEFAULT_URL, current_huddle, database
from tests.conftest import sign_in_client

REPEAT = 30


def main(argv: list[str]) -> int:
    url = argv[0] if argv else DEFAULT_URL
    only = argv[1] if len(argv) > 1 else None
    huddle = current_huddle(database(url), "Harbour Hotel")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "p" * 64})
    with app.app_context():
        lead = db.session.scalar(sa.select(User).where(User.email == "lead@example.com"))
        client = sign_in_client(app.test_client(), lead)
        from huddles.auth import service

        token = service.issue_api_token(lead, "profile")
        db.session.remove()
    pages = {
        "huddle": (f"/huddle/{huddle['shift_id']}/{huddle['day']}", {}),
        "agenda_api": (
            f"/api/v1/shifts/{huddle['shift_id']}/agenda?date={huddle['day']}",
            {"Authorization": f"Bearer {token}"},
        ),
        "wall": ("/kudos", {}),
        "today": ("/", {}),
    }
    for name, (path, headers) in pages.items():
        if only and name != only:
            continue
        client.get(path, headers=headers)  # warm up
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def count(conn, cursor, statement, *args, seen=statements):  # noqa: ANN001
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        response = client.get(path, headers=headers)
        sa.event.remove(engine, "before_cursor_execute", count)
        print(f"== {name} {path}: {response.status_code}, {len(statements)} SQL statements")
        for statement in statements:
            print("   ", " ".join(statement.split())[:150])
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(REPEAT):
            client.get(path, headers=headers)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
