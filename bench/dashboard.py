"""Benchmark: the pilot's dashboards at 200,000 requests, served by gunicorn.

    make bench
    .venv/bin/python bench/dashboard.py [--samples 50] [--warmup 5] [--requests 200000]

Budget (issue 5, DESIGN.md section 7): every dashboard page answers in 300 ms or less at
the 95th percentile, on PostgreSQL with 200,000 requests. Not a timed test: a measure,
printed on stdout.

1. The PostgreSQL database `accompagnement_bench` (or `DASHBOARD_BENCH_DATABASE_URL`) is
   created if needed and migrated; reference data, demo accounts and requests are loaded
   only when missing (`load_reference_data`, `seed_demo --requests N`: about 80 s the
   first time). Nothing is ever deleted from it.
2. gunicorn serves the portal with the production settings (DEBUG off, hashed static
   files, a throwaway SECRET_KEY), 2 workers on a free port of 127.0.0.1, the cache in the
   Redis database `redis://127.0.0.1:6379/9` (or `DASHBOARD_BENCH_REDIS_URL`), which is
   flushed. HTTPS redirection is off: the bench speaks plain HTTP to the loopback.
3. The demo pilot signs in through the login form (CSRF token and all).
4. Each page: the first request with the cache just flushed (cold), 5 warm-up requests,
   then 50 sequential requests timed from sending to the last byte; p50, p95 and max.
   Every answer must be 200, or the bench fails.
"""

import argparse
import http.client
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/accompagnement_bench"
REDIS_URL = "redis://127.0.0.1:6379/9"
PILOT_EMAIL = "pilote@example.org"
DEMO_PASSWORD = "demo-accompagnement-2011"  # noqa: S105 (the documented demo password)
BUDGET_MS = 300
PAGES = [
    "/pilotage/",
    "/pilotage/qualite/",
    "/pilotage/carte/",
    "/pilotage/campagne/",
    "/pilotage/charge/",
    "/pilotage/?period=debut",
    "/pilotage/qualite/?period=debut",
]
START_TIMEOUT = 60
REQUEST_TIMEOUT = 60


# ---------------------------------------------------------------------- environment


def server_environment(database_url: str, redis_url: str, var_dir: Path) -> dict[str, str]:
    """Production settings, plain HTTP on the loopback, a throwaway secret key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_URL="consolemail://",
        VAR_DIR=str(var_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
    )


# ---------------------------------------------------------------------- the data


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.strip("/")


def create_database(database_url: str) -> bool:
    """Create the database if it does not exist; True when it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    name = database_name(database_url)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


@dataclass
class Contents:
    ddis: int
    pilots: int
    requests: int


def contents(database_url: str) -> Contents:
    import psycopg

    with psycopg.connect(database_url) as connection:

        def count(query: str, *params) -> int:
            return connection.execute(query, params).fetchone()[0]

        return Contents(
            ddis=count("SELECT count(*) FROM ddi_ddi"),
            pilots=count(
                "SELECT count(*) FROM accompagnement_user WHERE email = %s AND role = 'pilot'",
                PILOT_EMAIL,
            ),
            requests=count("SELECT count(*) FROM accompagnement_supportrequest"),
        )


def prepare_data(env: dict[str, str], database_url: str, requests: int) -> Contents:
    """Migrate, then load what is missing; never deletes anything."""
    if create_database(database_url):
        print(f"  database {database_name(database_url)} created")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    found = contents(database_url)
    if not found.ddis:
        print("  loading the reference data…", flush=True)
        manage(env, "load_reference_data")
    missing = max(0, requests - found.requests)
    if missing or not found.pilots:
        print(f"  demo accounts and {missing:,} demo requests (about 80 s for 200,000)…")
        started = time.monotonic()
        manage(env, "seed_demo", "--no-progress", "--requests", str(missing))
        print(f"  seeded in {time.monotonic() - started:.0f} s")
    vacuum_analyze(database_url)
    return contents(database_url)


def vacuum_analyze(database_url: str) -> None:
    """What autovacuum does in production, before measuring: planner statistics and the
    visibility map of every table, after a migration or a load (PostgreSQL on the CI
    machines runs with autovacuum off)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def flush_cache(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


# ---------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "config.wsgi",
        "--workers", "2", "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning", "--timeout", str(REQUEST_TIMEOUT),
    ]  # fmt: skip
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 (our own virtualenv and arguments)
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            # The login page: /sante/ also wants a Celery worker, which the bench has not.
            status, _headers, body = Client(port).get("/connexion/")[:3]
        except OSError:
            status, body = None, b""
        if status == 200:
            return server
        if time.monotonic() > deadline:
            sys.exit(
                f"gunicorn did not answer /connexion/ in {START_TIMEOUT} s ({status}): "
                f"{body[:500]!r}\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.3)


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM lets gunicorn finish its requests and stop its workers."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ---------------------------------------------------------------------- HTTP


@dataclass
class Client:
    """A browser of one: its cookies (sent even though marked Secure: this is the
    loopback in plain HTTP) and no redirect following."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes, float]:
        """Status, headers, body and the time from sending to the last byte (ms)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content, elapsed

    def get(self, path: str):
        return self.request("GET", path)


def log_in(client: Client, email: str, password: str) -> None:
    status, _headers, body, _elapsed = client.get("/connexion/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match or "csrftoken" not in client.cookies:
        sys.exit(f"The login form did not come ({status}).")
    form = urlencode(
        {"username": email, "password": password, "csrfmiddlewaretoken": match[1].decode()}
    )
    status, headers, body, _elapsed = client.request(
        "POST",
        "/connexion/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 302 or "sessionid" not in client.cookies:
        sys.exit(f"Login as {email} failed ({status}): {body[:300]!r}")


# ---------------------------------------------------------------------- measures


def percentile(values: list[float], rank: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


@dataclass
class Measure:
    path: str
    status: int
    cold: float
    times: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.times, 50)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @property
    def holds(self) -> bool:
        return self.status == 200 and self.p95 <= BUDGET_MS


def measure(client: Client, path: str, redis_url: str, warmup: int, samples: int) -> Measure:
    """Cold first request (cache flushed), `warmup` untimed ones, then `samples` timed."""
    flush_cache(redis_url)
    statuses = set()
    status, _headers, _body, cold = client.get(path)
    statuses.add(status)
    for _ in range(warmup):
        statuses.add(client.get(path)[0])
    times = []
    for _ in range(samples):
        status, _headers, _body, elapsed = client.get(path)
        statuses.add(status)
        times.append(elapsed)
    worst = 200 if statuses == {200} else max(statuses - {200})
    return Measure(path, worst, cold, times)


def report(measures: list[Measure]) -> None:
    width = max(len(m.path) for m in measures)
    print(
        f"  {'page':<{width}}  status  cold ms   p50 ms   p95 ms   max ms  "
        f"budget (p95 ≤ {BUDGET_MS} ms)"
    )
    for m in measures:
        verdict = "holds" if m.holds else ("FAILED" if m.status != 200 else "OVER")
        print(
            f"  {m.path:<{width}}  {m.status:>6}  {m.cold:>7.0f}  {m.p50:>7.0f}  "
            f"{m.p95:>7.0f}  {max(m.times):>7.0f}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200_000, help="At least this many.")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--page", action="append", help="Only this page (repeatable).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    options = parser.parse_args()

    database_url = os.environ.get("DASHBOARD_BENCH_DATABASE_URL", DATABASE_URL)
    redis_url = os.environ.get("DASHBOARD_BENCH_REDIS_URL", REDIS_URL)
    var_dir = BASE_DIR / "var" / "bench"  # kept: collected static files are reused
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_environment(database_url, redis_url, var_dir)

    print(f"Dashboards of the pilot, PostgreSQL {database_name(database_url)}, Redis {redis_url}:")
    found = prepare_data(env, database_url, options.requests)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    flush_cache(redis_url)
    port = free_port()
    server = start_server(env, port, var_dir / "gunicorn.log")
    try:
        client = Client(port)
        log_in(client, PILOT_EMAIL, DEMO_PASSWORD)
        print(
            f"  {found.requests:,} requests; gunicorn, 2 sync workers, 127.0.0.1:{port}; "
            f"signed in as {PILOT_EMAIL}; {options.warmup} warm-up then "
            f"{options.samples} sequential requests per page"
        )
        measures = [
            measure(client, path, redis_url, options.warmup, options.samples)
            for path in options.page or PAGES
        ]
    finally:
        stop_server(server)
    report(measures)
    if options.json:
        options.json.write_text(
            json.dumps(
                [
                    {
                        "path": m.path,
                        "status": m.status,
                        "cold": round(m.cold, 1),
                        "p50": round(m.p50, 1),
                        "p95": round(m.p95, 1),
                        "max": round(max(m.times), 1),
                    }
                    for m in measures
                ],
                indent=2,
            )
        )
    failed = [m.path for m in measures if m.status != 200]
    if failed:
        sys.exit(f"Not 200: {', '.join(failed)}")
    over = [m.path for m in measures if not m.holds]
    print(f"  budget: {'holds on every page' if not over else 'OVER on ' + ', '.join(over)}")


if __name__ == "__main__":
    main()
