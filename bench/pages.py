"""Benchmark: the portal's busiest pages under load, at 200,000 requests, with locust.

    make bench
    .venv/bin/python bench/pages.py [--users 2] [--seconds 30] [--json FILE]

Budgets (DESIGN.md section 7), on PostgreSQL with 200,000 requests: the shared queue p95
≤ 50 ms, a request page p95 ≤ 40 ms, the pilot's dashboard p95 ≤ 300 ms. The DDI's list
and filing a request have no budget of their own: they are measured and shown. Not a
timed test: a measure, printed on stdout.

1. The database `accompagnement_bench` and gunicorn (2 sync workers, production
   settings) as in `bench/dashboard.py`, with the rate limits raised for the run (the
   bench files hundreds of requests a minute as one agent; the limits' own cost stays).
2. For each page, one locust run of `--seconds` (30 by default), headless, `--users`
   users (2 by default: as many as gunicorn's workers, so that the times are the
   server's, not a queue's) that sign in through the login form and then ask for the page
   without pause: the queue through five filters in turn, a request page among 200
   random references, the DDI list of an agent, the dashboard of the pilot, and filing a
   request (GET of the form for its CSRF token, then the POST, as a browser does).
3. From locust's CSV, for the page alone (not the sign-in): requests, failures, p50,
   p95, max and throughput as locust saw them (from sending the request to the last
   byte), and p50, p95 and max of the server's own time, read from each response's
   `Server-Timing` header: the budgets are server times (DESIGN.md: "p95 server time"),
   without locust's share of the same two cores. Any failure (not 200, no
   `Server-Timing`, or a filing not redirected to its confirmation) fails the bench.

locust is the one of `bench/requirements.txt`, installed by `make bench` in a virtualenv
of its own (`var/bench/locust/`; `LOCUST=/path/to/locust` for another): its gevent
must not reach the portal's own virtualenv, where the tests run.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import dashboard
from dashboard import (
    BASE_DIR,
    DATABASE_URL,
    DEMO_PASSWORD,
    REDIS_URL,
    flush_cache,
    free_port,
    manage,
    prepare_data,
    server_environment,
    start_server,
    stop_server,
)


@dataclass(frozen=True)
class Scenario:
    name: str  # locust's request name
    user_class: str
    label: str
    budget_ms: int | None


SCENARIOS = [
    Scenario("queue", "QueueUser", "File partagée, 50 lignes, 5 filtres", 50),
    Scenario("request", "RequestPageUser", "Page d'une demande", 40),
    Scenario("ddi_list", "DDIListUser", "Demandes de la DDI (agent, /demandes/)", None),
    Scenario("dashboard", "DashboardUser", "Tableau de bord du pilote (/pilotage/)", 300),
    Scenario("file", "FileRequestUser", "Dépôt d'une demande (POST)", None),
]


@dataclass
class Result:
    name: str
    label: str
    budget_ms: int | None
    requests: int
    failures: int
    p50: float
    p95: float
    max: float
    per_second: float
    server_p50: float
    server_p95: float
    server_max: float

    @property
    def holds(self) -> bool | None:
        if self.failures:
            return False
        return None if self.budget_ms is None else self.server_p95 <= self.budget_ms


def locust_binary() -> str:
    return os.environ.get("LOCUST") or str(BASE_DIR / "var" / "bench" / "locust" / "bin" / "locust")


def bench_inputs(database_url: str) -> dict[str, str]:
    """200 random references to open, and a category to file under."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        references = [
            row[0]
            for row in connection.execute(
                "SELECT reference FROM accompagnement_supportrequest ORDER BY random() LIMIT 200"
            )
        ]
        axis, category = connection.execute(
            "SELECT axis, id FROM accompagnement_category WHERE is_active ORDER BY id LIMIT 1"
        ).fetchone()
    return {"BENCH_REFERENCES": ",".join(references), "BENCH_CATEGORY": f"{axis}:{category}"}


def run_locust(
    scenario: Scenario, port: int, users: int, seconds: int, out: Path, inputs: dict
) -> Result:
    prefix = out / scenario.name
    command = [
        locust_binary(), "-f", str(BASE_DIR / "bench" / "locustfile.py"),
        "--headless", "--host", f"http://127.0.0.1:{port}",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        "--exit-code-on-error", "0", scenario.user_class,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_PASSWORD": DEMO_PASSWORD, **inputs}
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    row = rows.get(scenario.name)
    if row is None:
        sys.exit(f"No {scenario.name} request in locust's figures: {sorted(rows)}")
    server = rows.get(scenario.name + ":server")
    if server is None:
        sys.exit(f"No server time for {scenario.name} in locust's figures: {sorted(rows)}")
    login = rows.get("login")
    login_failures = int(login["Failure Count"]) if login else 0
    return Result(
        name=scenario.name,
        label=scenario.label,
        budget_ms=scenario.budget_ms,
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]) + login_failures,
        p50=float(row["50%"]),
        p95=float(row["95%"]),
        max=float(row["Max Response Time"]),
        per_second=float(row["Requests/s"]),
        server_p50=float(server["50%"]),
        server_p95=float(server["95%"]),
        server_max=float(server["Max Response Time"]),
    )


def report(results: list[Result], users: int, seconds: int) -> None:
    print(f"  {users} locust users, {seconds} s per page, no pause between requests")
    print("  client: as locust saw it; server: the response's Server-Timing (the budget)")
    print(
        f"  {'page':<10} {'requests':>8} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'max ms':>7} {'req/s':>6} {'server p50':>10} {'p95':>5} {'max':>5}  budget"
    )
    for r in results:
        verdict = {True: "holds", False: "OVER" if not r.failures else "FAILED", None: "-"}
        budget = f"server p95 ≤ {r.budget_ms} ms: " if r.budget_ms else ""
        print(
            f"  {r.name:<10} {r.requests:>8} {r.failures:>6} {r.p50:>7.0f} {r.p95:>7.0f} "
            f"{r.max:>7.0f} {r.per_second:>6.1f} {r.server_p50:>10.0f} {r.server_p95:>5.0f} "
            f"{r.server_max:>5.0f}  {budget}{verdict[r.holds]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200_000, help="At least this many.")
    parser.add_argument("--users", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--page", action="append", help="Only this page (repeatable).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    options = parser.parse_args()

    if not Path(locust_binary()).exists():
        sys.exit(f"No locust at {locust_binary()}: run `make bench` (or set LOCUST).")
    database_url = os.environ.get("DASHBOARD_BENCH_DATABASE_URL", DATABASE_URL)
    redis_url = os.environ.get("DASHBOARD_BENCH_REDIS_URL", REDIS_URL)
    var_dir = BASE_DIR / "var" / "bench"
    out = var_dir / "locust"
    out.mkdir(parents=True, exist_ok=True)
    env = server_environment(database_url, redis_url, var_dir)
    # One agent files hundreds of requests a minute here: the limits are raised, not off.
    for setting in ("LOGIN", "REQUEST_CREATE", "UPLOADS"):
        env[f"RATELIMIT_{setting}"] = "1000000/m"
    # The server's time of every page, agents' included (only the team gets it otherwise).
    env["SERVER_TIMING_FOR_EVERYONE"] = "true"

    print(f"Pages under load, PostgreSQL {dashboard.database_name(database_url)}:")
    found = prepare_data(env, database_url, options.requests)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    inputs = bench_inputs(database_url)
    scenarios = [s for s in SCENARIOS if not options.page or s.name in options.page]
    port = free_port()
    server = start_server(env, port, var_dir / "gunicorn.log")
    results = []
    try:
        print(f"  {found.requests:,} requests; gunicorn, 2 sync workers, 127.0.0.1:{port}")
        for scenario in scenarios:
            flush_cache(redis_url)
            results.append(run_locust(scenario, port, options.users, options.seconds, out, inputs))
    finally:
        stop_server(server)
    report(results, options.users, options.seconds)
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "requests_in_database": found.requests,
                    "users": options.users,
                    "seconds": options.seconds,
                    "pages": [asdict(r) for r in results],
                },
                indent=2,
            )
        )
    failed = [r.name for r in results if r.failures]
    if failed:
        sys.exit(f"Failures on: {', '.join(failed)} (see {out})")


if __name__ == "__main__":
    main()
