"""Benchmark: fan out 10,000 milestone reminders with ONE Celery worker, and time it.

    make bench
    .venv/bin/python bench/reminders_fanout.py --deliveries 10000 [--keep]

Budget (DESIGN.md, section 7): 10,000 deliveries in at most 60 s with one worker, zero
duplicates. Not a timed test: a measure, printed on stdout.

It runs in a scratch environment of its own, never on the portal's data: a temporary
`VAR_DIR` (SQLite database, embedded broker and e-mail folder, as `make run`), or, with
`BENCH_DATABASE_URL=postgres://…/<name>_bench` and `BENCH_REDIS_URL=redis://…/<db>`, an
existing PostgreSQL database it empties first (its name must end in `_bench`) and a Redis
database it flushes. It creates the agents of 100 DDIs and one milestone due today,
starts one worker (`--pool solo`, or `--concurrency 2` for the Procfile's prefork pool),
queues the daily job, and measures the time until the last reminder is sent; then it
counts the e-mails written, checks that each agent got exactly one, runs the job a
second time and checks that nothing more goes out.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from accompagnement.campaigns import tasks as campaigns_tasks

BASE_DIR = Path(__file__).resolve().parent.parent
AGENTS_PER_DDI = 100
TIMEOUT_SECONDS = 900


def scratch_environment(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="false",  # no query log in the worker
        VAR_DIR=str(var_dir),
        SITE_URL="http://127.0.0.1:8000",
        PYTHONUNBUFFERED="1",
    )
    database_url = os.environ.get("BENCH_DATABASE_URL")
    if database_url:
        name = urlsplit(database_url).path.strip("/")
        if not name.endswith("_bench"):
            sys.exit("BENCH_DATABASE_URL: the database is emptied, its name must end in _bench.")
        env["DATABASE_URL"] = database_url
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
    )


def prepare(deliveries: int) -> int:
    """The agents and a milestone due today; returns the milestone's id."""
    from django.db import transaction
    from django.utils import timezone

    from accompagnement.accounts.models import Role, User
    from accompagnement.campaigns.models import Campaign, CampaignKind, Milestone
    from ddi.enums import DDIKind
    from ddi.models import DDI, Department, Region

    ddis_needed = -(-deliveries // AGENTS_PER_DDI)
    with transaction.atomic():
        region = Region.objects.create(code="999", name="Région du banc d'essai")
        Department.objects.bulk_create(
            Department(code=f"{n:03d}", name=f"Département {n}", region=region)
            for n in range(ddis_needed)
        )
        departments = list(Department.objects.filter(region=region).order_by("code"))
        DDI.objects.bulk_create(
            DDI(kind=DDIKind.DDT, department=d, name=f"DDT du banc d'essai {d.code}")
            for d in departments
        )
        ddis = list(DDI.objects.filter(department__region=region).order_by("pk"))
        User.objects.bulk_create(
            (
                User(
                    email=f"agent.{n:05d}@example.org",
                    first_name="Agent",
                    last_name=f"n°{n}",
                    role=Role.AGENT,
                    ddi=ddis[n // AGENTS_PER_DDI],
                    password="!",  # noqa: S106 (unusable password)
                )
                for n in range(deliveries)
            ),
            batch_size=1000,
        )
        campaign = Campaign.objects.create(
            fiscal_year=timezone.localdate().year,
            kind=CampaignKind.YEAR_END,
            title="Banc d'essai des rappels",
        )
        return Milestone.objects.create(
            campaign=campaign,
            code="banc-d-essai",
            title="Jalon du banc d'essai",
            explanation="Rien à faire : ce jalon mesure l'envoi des rappels.",
            due_date=timezone.localdate(),
            reminder_offsets=[0],
        ).pk


def start_worker(env: dict[str, str], log: Path, concurrency: int) -> subprocess.Popen:
    # One process (solo pool), or the prefork pool of the Procfile's worker.
    pool = ["--pool", "solo"] if concurrency == 1 else ["--pool", "prefork"]
    pool += ["--concurrency", str(concurrency)]
    command = [
        sys.executable, "-m", "celery", "--app", "config", "worker", *pool,
        "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as output:
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"The worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux), 0 elsewhere: on a shared
    machine the wall-clock time also counts the other processes, the CPU time does not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def emails_written(mail_dir: Path) -> Counter:
    """How many e-mails each address received (the file backend may put several in a file)."""
    recipients = Counter()
    for path in mail_dir.glob("*.log") if mail_dir.exists() else ():
        recipients.update(re.findall(r"^To: (.+)$", path.read_text(), re.MULTILINE))
    return recipients


def job_runs(log: Path) -> int:
    return len(re.findall(r"accompagnement\.milestone_reminders\[.*\] succeeded", log.read_text()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="Processes of the one worker: 1 (solo pool, the default) or more (prefork pool; "
        "the Procfile's worker runs 2).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the scratch folder.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    options = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="bench-rappels-"))
    env = scratch_environment(var_dir)
    database = "PostgreSQL" if "DATABASE_URL" in env else "SQLite"
    broker = "Redis" if "REDIS_URL" in env else "embedded (filesystem) broker"
    worker = None
    try:
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        if "DATABASE_URL" in env:
            manage(env, "flush", "--noinput", "--verbosity", "0")
        os.environ.update(env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from accompagnement.campaigns.models import ReminderDelivery
        from accompagnement.outbox.models import Notification, NotificationStatus
        from config.celery import app

        if "REDIS_URL" in env:
            import redis

            redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        else:
            with app.connection_for_write() as connection:
                connection.default_channel.queue_purge(app.conf.task_default_queue)

        milestone_id = prepare(options.deliveries)
        log = var_dir / "worker.log"
        worker = start_worker(env, log, options.concurrency)
        pool = (
            "solo pool"
            if options.concurrency == 1
            else f"prefork pool of {options.concurrency} processes"
        )
        print(
            f"Fan-out of {options.deliveries:,} milestone reminders, one worker ({pool}), "
            f"{database}, {broker}, e-mails to files:"
        )

        def sent() -> int:
            return Notification.objects.filter(status=NotificationStatus.SENT).count()

        cpu_before = cpu_seconds(worker.pid)
        started = time.monotonic()
        campaigns_tasks.milestone_reminders.delay()
        first_email = None
        while (count := sent()) < options.deliveries:
            if first_email is None and count:
                first_email = time.monotonic() - started
            if worker.poll() is not None or time.monotonic() - started > TIMEOUT_SECONDS:
                sys.exit(f"Stopped at {count} sent:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        worker_cpu = cpu_seconds(worker.pid) - cpu_before

        # The job again, as the schedule runs it every 10 minutes: nothing more goes out.
        campaigns_tasks.milestone_reminders.delay()
        while job_runs(log) < 2:
            time.sleep(0.25)
        time.sleep(2)

        written = emails_written(var_dir / "mail")
        total = sum(written.values())
        duplicates = sum(n - 1 for n in written.values() if n > 1)
        missing = options.deliveries - len(written)
        deliveries = ReminderDelivery.objects.filter(milestone_id=milestone_id).count()
        print(
            f"  all sent in {elapsed:.1f} s ({options.deliveries / elapsed:.0f} e-mails/s); "
            f"first e-mail after {first_email or 0:.1f} s; worker CPU time {worker_cpu:.1f} s"
        )
        print(
            f"  deliveries recorded: {deliveries:,}; e-mails written: {total:,} to "
            f"{len(written):,} recipients; duplicates: {duplicates}; missing: {missing}"
        )
        verdict = "within" if elapsed <= 60 and not duplicates and not missing else "OVER"
        print(f"  budget (10,000 in 60 s, zero duplicates): {verdict}")
        if options.json:
            figures = {
                "database": database,
                "broker": broker,
                "deliveries": options.deliveries,
                "seconds": round(elapsed, 1),
                "worker_cpu_seconds": round(worker_cpu, 1),
                "first_email_seconds": round(first_email or 0, 1),
                "emails": total,
                "duplicates": duplicates,
                "missing": missing,
            }
            options.json.write_text(json.dumps(figures, indent=2))
        if duplicates or missing:
            sys.exit(1)
    finally:
        if worker is not None:
            stop_worker(worker)
        if options.keep:
            print(f"  scratch folder kept: {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
