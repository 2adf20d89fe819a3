"""`make bench`, the pages: Huddles on gunicorn beside a bare Flask "hello", loaded by wrk in turns.

The app runs as in production (`HUDDLES_ENV=production`, gunicorn `-w 2` sync workers) on a
PostgreSQL database of its own (`huddles_bench_http`, or `HUDDLES_BENCH_HTTP_DATABASE_URL`)
loaded with the demo. It is served over plain HTTP on loopback: production cookies are `Secure`,
which only a browser enforces; the bench signs in with its own HTTP client and hands the
session cookie to wrk as a header, so no setting is weakened for it.

Each page is measured right after a "hello" run, and its ratio is to the mean of the hello runs
around it, so a busy machine slows both sides alike. Writes the figures to instance/bench.json.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/huddles_bench_http"
APP_PORT, HELLO_PORT = 5111, 5112
DURATION = os.environ.get("HUDDLES_BENCH_DURATION", "5s")
CONNECTIONS = 32
PASSWORD = "bench-" + "Kq7vX2mZ9wRt"
KUDOS_GROWTH = 100  # the wall again with this many times the kudos

GOALS = {
    # page: (least ratio to hello, most p99 in ms)
    "huddle": (0.33, 50),
    "agenda_api": (0.33, 50),
    "wall": (0.25, 80),
    "wall_100x": (0.25, 80),
    "today": (0.25, 80),
}
READS_UNDER_WRITES_GOAL = 0.7
WALL_GROWTH_GOAL = 0.8


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True)  # noqa: S603
    return shutil.which("wrk") or "wrk"


def app_environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "HUDDLES_ENV": "production",
            "SECRET_KEY": os.environ.get("HUDDLES_BENCH_SECRET_KEY") or secrets.token_hex(32),
            "HUDDLES_DEMO_PASSWORD": PASSWORD,
            # The writes post far more thank-yous than a person's day allows.
            "HUDDLES_KUDOS_DAILY_CAP": "1000000",
            "HUDDLES_LOGIN_LIMIT": "1000 per minute",
            "FLASK_APP": "app.py",
        }
    )
    return env


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603  (our own flask, fixed arguments)
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_database(url: str, env: dict[str, str]) -> None:
    """A fresh bench database: created anew each run, migrated, with the library and the demo."""
    import sqlalchemy as sa

    server, _, name = url.rpartition("/")
    engine = sa.create_engine(
        f"{server}/postgres".replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    flask(env, "db", "upgrade")
    flask(env, "content", "import", "content")
    flask(env, "demo", "load", "--if-empty")
    analyze(url)


def analyze(url: str) -> None:
    """Gather the planner's statistics, as autovacuum does on a production server (this
    machine's PostgreSQL runs with autovacuum off, which would leave a new table unplanned)."""
    import sqlalchemy as sa

    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def database(url: str):
    import sqlalchemy as sa

    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


@contextmanager
def gunicorn(target: str, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603  (our own gunicorn)
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"gunicorn {target} did not start on port {port}") from None
                time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_rss_mb(master: subprocess.Popen[bytes]) -> list[float]:
    """The resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master.pid):
            kilobytes = int(fields.get("VmRSS", "0 kB").split()[0])
            sizes.append(round(kilobytes / 1024, 1))
    return sorted(sizes)


def sign_in(email: str) -> str:
    """Sign in over HTTP as a browser would; the `Cookie` header of the signed-in session."""
    connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert token, "no CSRF token on /login"
    body = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token.group(1), "remember": "y"}
    )
    connection.request(
        "POST",
        "/login",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        },
    )
    response = connection.getresponse()
    response.read()
    if response.status not in (302, 303):
        raise SystemExit(f"signing in as {email} failed: {response.status}")
    cookies.update(_cookies(response))
    # The first page after signing in may add to the session (its CSRF token); a browser keeps
    # the cookie it gets back, and so does the bench, or every request would re-sign it.
    connection.request("GET", "/", headers={"Cookie": _cookie_header(cookies)})
    response = connection.getresponse()
    response.read()
    cookies.update(_cookies(response))
    return _cookie_header(cookies)


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def check(path: str, headers: dict[str, str]) -> None:
    """The page answers 200 (not a redirect to the sign-in page) before it is measured."""
    connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}, not 200")


def wrk(
    url: str, headers: dict[str, str] | None = None, *, connections: int = CONNECTIONS
) -> dict[str, float]:
    """One wrk run: requests per second, p50 and p99 in ms, and the count of non-2xx answers."""
    command = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{DURATION}", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    run = subprocess.run  # wrk with our own arguments
    output = run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return parse_wrk(output)


def parse_wrk(output: str) -> dict[str, float]:
    def milliseconds(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rps": round(rate, 1),
        "p50_ms": round(milliseconds(p50), 2),
        "p99_ms": round(milliseconds(p99), 2),
        "non_2xx": int(bad.group(1)) if bad else 0,
    }


def current_huddle(engine, location_name: str) -> dict[str, Any]:
    """The shift of the location whose huddle window is open now, its day, and who is on it."""
    from zoneinfo import ZoneInfo

    import sqlalchemy as sa

    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT s.id, s.starts_at, s.duration_minutes, l.timezone, l.id "
                "FROM shifts s JOIN locations l ON l.id = s.location_id "
                "WHERE l.name = :name ORDER BY s.starts_at"
            ),
            {"name": location_name},
        ).all()
        now = datetime.now(UTC)
        for shift_id, starts_at, minutes, timezone, location_id in rows:
            zone = ZoneInfo(timezone)
            for back in (0, 1):
                day = now.astimezone(zone).date() - timedelta(days=back)
                start = datetime.combine(day, starts_at, tzinfo=zone)
                if (
                    start - timedelta(minutes=30)
                    <= now
                    < start + timedelta(minutes=minutes) - (timedelta(minutes=10))
                ):
                    people = connection.scalars(
                        sa.text(
                            "SELECT r.user_id FROM roster_entries r"
                            " JOIN users u ON u.id = r.user_id WHERE r.shift_id = :shift"
                            " AND u.role = 'staff' ORDER BY r.user_id"
                        ),
                        {"shift": shift_id},
                    ).all()
                    return {
                        "shift_id": shift_id,
                        "day": day.isoformat(),
                        "location_id": location_id,
                        "people": list(people),
                    }
    raise SystemExit(f"no huddle window of {location_name} is open now")


def grow_kudos(engine, location_id: int, factor: int) -> int:
    """Add (factor - 1) times the location's kudos, spread over the past; how many were added."""
    import sqlalchemy as sa

    with engine.begin() as connection:
        existing = connection.scalar(
            sa.text("SELECT count(*) FROM kudos WHERE location_id = :l AND daily_number < 1000"),
            {"l": location_id},
        )
        people = connection.scalars(
            sa.text("SELECT id FROM users WHERE location_id = :l ORDER BY id"), {"l": location_id}
        ).all()
        now = datetime.now(UTC)
        rows = []
        for number in range(existing * (factor - 1)):
            moment = now - timedelta(minutes=30 + 17 * number)
            giver = people[number % len(people)]
            receiver = people[(number * 7 + 1) % len(people)]
            if receiver == giver:
                receiver = people[(number * 7 + 2) % len(people)]
            rows.append(
                {
                    "l": location_id,
                    "f": giver,
                    "t": receiver,
                    "m": f"Thanks for the help on the floor ({number})",
                    "v": "extra-mile",
                    "c": moment,
                    "g": moment.date(),
                    "n": 1000 + number,
                }
            )
        connection.execute(
            sa.text(
                "INSERT INTO kudos (location_id, from_user_id, to_user_id, message, value, "
                "created_at, given_on, daily_number) VALUES (:l, :f, :t, :m, :v, :c, :g, :n)"
            ),
            rows,
        )
    return len(rows)


def drop_bench_rows(engine, location_id: int) -> None:
    """Remove what the bench added, so the next run starts from the demo again."""
    import sqlalchemy as sa

    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "DELETE FROM kudos WHERE location_id = :l AND "
                "(daily_number >= 1000 OR message LIKE 'Thanks for the cover (bench%')"
            ),
            {"l": location_id},
        )


def agenda_figures() -> dict[str, Any]:
    """The agenda-making figures of tests/bench.py (SQLite), captured as text."""
    if os.environ.get("HUDDLES_BENCH_AGENDAS") == "0":
        return {"output": [], "ok": True, "skipped": True}
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--agendas-only"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    print(done.stdout, end="")
    return {"output": done.stdout.splitlines(), "ok": done.returncode == 0}


def reads_under_writes(
    base: str,
    reads: dict[str, tuple[str, dict[str, str]]],
    writes_env: dict[str, str],
    alone: dict[str, dict[str, Any]],
    connections: int = 4,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Each read page measured while tests/bench_writes.lua writes as fast as `connections` of
    its own go, and the writes' own figures. (The writes are not paced with wrk's delay: a sync
    worker would wait out each connection's pause, as it does behind no buffering proxy.)"""
    writer = subprocess.Popen(  # noqa: S603  (wrk with our own arguments)
        [
            ensure_wrk(),
            "-t1",
            f"-c{connections}",
            f"-d{int(DURATION.rstrip('s')) * len(reads) + 4}s",
            "--latency",
            "-s",
            str(ROOT / "tests" / "bench_writes.lua"),
            base + "/",
        ],
        env={**os.environ, **writes_env},
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    under = {name: wrk(base + path, headers) for name, (path, headers) in reads.items()}
    writes = parse_wrk(writer.communicate()[0])
    for name, figures in under.items():
        figures["of_alone"] = round(figures["rps"] / alone[name]["rps"], 3)
    return writes, under


def main() -> int:
    url = os.environ.get("HUDDLES_BENCH_HTTP_DATABASE_URL", DEFAULT_URL)
    env = app_environment(url)
    ensure_wrk()
    print(f"Huddles pages (gunicorn -w 2 sync, wrk -t1 -c{CONNECTIONS} -d{DURATION}, {url})")
    prepare_database(url, env)
    engine = database(url)
    huddle = current_huddle(engine, "Harbour Hotel")
    drop_bench_rows(engine, huddle["location_id"])
    token = flask(env, "users", "token", "lead@example.com", "--name", "bench").strip()
    hello_env = dict(os.environ)
    results: dict[str, Any] = {"measured_at": datetime.now(UTC).isoformat(), "pages": {}}
    with (
        gunicorn("tests.bench_hello:app", HELLO_PORT, hello_env) as hello_master,
        gunicorn("app:app", APP_PORT, env) as app_master,
    ):
        cookie = {"Cookie": sign_in("lead@example.com")}
        bearer = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{APP_PORT}"
        hello_url = f"http://127.0.0.1:{HELLO_PORT}/"
        shift, day = huddle["shift_id"], huddle["day"]
        pages: list[tuple[str, str, dict[str, str]]] = [
            ("huddle", f"/huddle/{shift}/{day}", cookie),
            ("agenda_api", f"/api/v1/shifts/{shift}/agenda?date={day}", bearer),
            ("wall", "/kudos", cookie),
            ("today", "/", cookie),
        ]
        for _name, path, headers in pages:
            check(path, headers)
        wrk(hello_url)  # warm both servers up
        for _name, path, headers in pages:
            wrk(base + path, headers)
        hellos = [wrk(hello_url)]

        def measure(name: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
            figures = wrk(base + path, headers)
            hellos.append(wrk(hello_url))
            hello_rate = (hellos[-2]["rps"] + hellos[-1]["rps"]) / 2
            figures["ratio"] = round(figures["rps"] / hello_rate, 3)
            figures["hello_rps"] = round(hello_rate, 1)
            results["pages"][name] = figures
            return figures

        for name, path, headers in pages:
            measure(name, path, headers)
        # For reference, not a goal: the cheapest signed-in answer there is (the session check
        # and a few fields of JSON), the floor under every page above.
        check("/api/v1/me", cookie)
        results["floor"] = measure("floor", "/api/v1/me", cookie)
        del results["pages"]["floor"]
        added = grow_kudos(engine, huddle["location_id"], KUDOS_GROWTH)
        analyze(url)
        check("/kudos", cookie)
        wrk(base + "/kudos", cookie)
        measure("wall_100x", "/kudos", cookie)
        results["kudos_added"] = added
        # Reads while a second wrk posts thank-yous and taps attendance with the lead's token:
        # from four connections (the goal), then for reference from one.
        writes_env = {
            "BENCH_TOKEN": token,
            "BENCH_KUDOS_TO": str(huddle["people"][0]),
            "BENCH_ATTENDANCE": (
                f"/api/v1/shifts/{shift}/attendance/{huddle['people'][1]}?date={day}"
            ),
        }
        reads = {"huddle": (pages[0][1], cookie), "agenda_api": (pages[1][1], bearer)}
        results["writes"], results["reads_under_writes"] = reads_under_writes(
            base, reads, writes_env, results["pages"]
        )
        results["one_writer"], results["reads_under_one_writer"] = reads_under_writes(
            base, reads, writes_env, results["pages"], connections=1
        )
        results["rss_mb"] = {
            "app_workers": worker_rss_mb(app_master),
            "hello_workers": worker_rss_mb(hello_master),
        }
    drop_bench_rows(engine, huddle["location_id"])
    engine.dispose()
    analyze(url)
    ok = report(results)
    results["agendas"] = agenda_figures()
    ok = ok and results["agendas"]["ok"]
    out = ROOT / "instance" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0 if ok else 1


def report(results: dict[str, Any]) -> bool:
    ok = True
    print(f"{'page':<12} {'req/s':>8} {'hello':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8}  goal")
    for name, figures in results["pages"].items():
        least, most = GOALS[name]
        met = figures["ratio"] >= least and figures["p99_ms"] <= most and not figures["non_2xx"]
        ok = ok and met
        print(
            f"{name:<12} {figures['rps']:>8.1f} {figures['hello_rps']:>8.1f} "
            f"{figures['ratio']:>6.3f}x {figures['p50_ms']:>8.1f} {figures['p99_ms']:>8.1f}  "
            f">= {least}x, p99 <= {most} ms: {'met' if met else 'NOT met'}"
        )
    floor = results.get("floor")
    if floor:
        print(
            f"{'(floor)':<12} {floor['rps']:>8.1f} {floor['hello_rps']:>8.1f} "
            f"{floor['ratio']:>6.3f}x {floor['p50_ms']:>8.1f} {floor['p99_ms']:>8.1f}  "
            "GET /api/v1/me signed in: the least a signed-in request costs (no goal)"
        )
    growth = results["pages"]["wall_100x"]["rps"] / results["pages"]["wall"]["rps"]
    results["wall_growth"] = round(growth, 3)
    met = growth >= WALL_GROWTH_GOAL
    ok = ok and met
    print(
        f"wall with {KUDOS_GROWTH}x the kudos (+{results['kudos_added']}): {growth:.2f}x of itself "
        f"(goal >= {WALL_GROWTH_GOAL}x): {'met' if met else 'NOT met'}"
    )
    writes = results["writes"]
    print(
        f"writes (kudos posts and attendance taps, -c4): {writes['rps']:.1f} req/s, "
        f"p99 {writes['p99_ms']:.1f} ms, {writes['non_2xx']} non-2xx"
    )
    for name, figures in results["reads_under_writes"].items():
        met = figures["of_alone"] >= READS_UNDER_WRITES_GOAL
        ok = ok and met
        print(
            f"{name} while writes run: {figures['rps']:.1f} req/s = {figures['of_alone']:.2f}x "
            f"of its rate alone, p99 {figures['p99_ms']:.1f} ms "
            f"(goal >= {READS_UNDER_WRITES_GOAL}x): {'met' if met else 'NOT met'}"
        )
    one = results["one_writer"]
    print(
        f"writes from one connection (-c1, for reference): {one['rps']:.1f} req/s, "
        f"p99 {one['p99_ms']:.1f} ms, {one['non_2xx']} non-2xx"
    )
    for name, figures in results["reads_under_one_writer"].items():
        print(
            f"{name} while one connection writes: {figures['rps']:.1f} req/s = "
            f"{figures['of_alone']:.2f}x of its rate alone, p99 {figures['p99_ms']:.1f} ms "
            "(no goal)"
        )
    rss = results["rss_mb"]
    print(
        f"memory per worker (RSS): app {', '.join(f'{m:.0f}' for m in rss['app_workers'])} MB; "
        f"hello {', '.join(f'{m:.0f}' for m in rss['hello_workers'])} MB"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
