"""`make bench`: every budget of DESIGN.md section 7, measured, printed, and written to
docs/benchmarks.md with the machine and the versions.

    make bench
    .venv/bin/python bench/run.py [--skip-seed] [--seconds 30] [--users 2]

1. The seeding: `seed_demo --requests 200000` timed in a scratch PostgreSQL database
   (`accompagnement_seed_bench`, dropped and created again; `--skip-seed` to leave it out).
2. The pilot's dashboards, page by page, 50 sequential requests each (`dashboard.py`).
3. The shared queue, a request page, the DDI's list, the dashboard and filing a request
   under load with locust (`pages.py`).
4. 10,000 milestone reminders sent by one worker (`reminders_fanout.py`), on PostgreSQL
   and Redis, then on SQLite and the embedded broker of `make run`.

The query budgets are not measured here: tests pin them (named in the table). The table
goes between the markers of docs/benchmarks.md; the rest of that file (reasons and plans)
is written by hand and kept.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "var" / "bench"
DOC = BASE_DIR / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SEED_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/accompagnement_seed_bench"
FANOUT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/accompagnement_fanout_bench"
FANOUT_REDIS_URL = "redis://127.0.0.1:6379/8"
SEED_BUDGET_S = 120
FANOUT_BUDGET_S = 60


def script(name: str, *args: str, env: dict | None = None) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter and scripts)
        [sys.executable, str(BASE_DIR / "bench" / name), *args],
        cwd=BASE_DIR,
        env={**os.environ, **(env or {})},
        check=True,
    )


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


# ---------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    import django
    import psycopg
    import redis

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    with psycopg.connect(SEED_DATABASE_URL.rsplit("/", 1)[0] + "/postgres") as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]
    redis_version = redis.Redis.from_url(FANOUT_REDIS_URL).info("server")["redis_version"]
    locust = subprocess.run(  # noqa: S603
        [str(OUT / "locust" / "bin" / "locust"), "--version"], capture_output=True, text=True
    ).stdout.split()[1]

    def version(package: str) -> str:
        from importlib.metadata import version as installed

        return installed(package)

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} × {cpu}",
        "ram": f"{kib / 1024 / 1024:.0f} Gio",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "redis": redis_version,
        "gunicorn": version("gunicorn"),
        "celery": version("celery"),
        "locust": locust,
    }


# ---------------------------------------------------------------------- the seed


def measure_seed() -> dict:
    """`seed_demo --requests 200000` in a fresh database, after the reference data."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(SEED_DATABASE_URL)
    name = parts.path.strip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(DATABASE_URL=SEED_DATABASE_URL, VAR_DIR=str(OUT / "seed"), DEBUG="false")

    def manage(*args: str) -> None:
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
        )

    print("Seeding 200,000 requests in a fresh database:", flush=True)
    manage("migrate", "--noinput", "--verbosity", "0")
    manage("load_reference_data", "--verbosity", "0")
    started, machine_load = time.monotonic(), load()
    manage("seed_demo", "--no-progress", "--requests", "200000")
    seconds = time.monotonic() - started
    print(f"  seed_demo --requests 200000: {seconds:.0f} s")
    return {"seconds": round(seconds, 1), "load": machine_load}


# ---------------------------------------------------------------------- the table


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def decimal(number: float) -> str:
    return f"{number:.1f}".replace(".", ",")


FRENCH = {"embedded (filesystem) broker": "broker embarqué (fichiers)"}


def verdict(holds: bool) -> str:
    return "tenu" if holds else "**dépassé**"


def table(figures: dict) -> str:
    m = figures["machine"]
    pages = {p["name"]: p for p in figures["pages"]["pages"]}
    dashboards = figures["dashboards"]
    lines = [
        f"Mesuré le {m['date']} par `make bench`.",
        "",
        f"- Machine : {m['cpu']}, {m['ram']} de mémoire ; {m['os']}.",
        f"- Versions : Python {m['python']}, Django {m['django']}, PostgreSQL "
        f"{m['postgresql']}, Redis {m['redis']}, gunicorn {m['gunicorn']}, Celery "
        f"{m['celery']}, locust {m['locust']}.",
        "- Charge moyenne de la machine (1 min / 5 min) au début de chaque mesure : "
        + " ; ".join(f"{k} {v.replace('.', ',')}" for k, v in figures["loads"].items())
        + ".",
        f"- {thousands(figures['pages']['requests_in_database'])} demandes en base ; gunicorn, "
        f"2 workers synchrones ; locust : {figures['pages']['users']} utilisateurs sans "
        f"pause, {figures['pages']['seconds']} s par page. Temps « serveur » : l'en-tête "
        "`Server-Timing` de chaque réponse (le temps passé dans Django, sans le réseau ni la "
        "file de gunicorn), sur lequel portent les budgets ; « vu par locust » : de l'envoi "
        "au dernier octet, sur les mêmes 2 cœurs que locust.",
        "",
        "| Budget (DESIGN.md §7) | Mesure | Résultat |",
        "| --- | --- | --- |",
    ]

    def page_row(name: str, budget: str) -> str:
        p = pages[name]
        holds = not p["failures"] and p["server_p95"] <= p["budget_ms"]
        return (
            f"| {p['label']} : {budget} | serveur : p50 {p['server_p50']:.0f} ms, "
            f"**p95 {p['server_p95']:.0f} ms** ; vu par locust : p50 {p['p50']:.0f} ms, "
            f"p95 {p['p95']:.0f} ms ; {decimal(p['per_second'])} req/s, "
            f"{p['failures']} échec(s) | {verdict(holds)} |"
        )

    lines.append(
        "| File partagée : au plus 10 requêtes SQL quelle que soit la taille des données | "
        "épinglé par `tests/support/test_views_queue.py::"
        "test_query_budget_whatever_the_data_size` (cache froid et chaud, 5 filtres) | tenu "
        "(test en CI) |"
    )
    lines.append(page_row("queue", "p95 serveur ≤ 50 ms"))
    lines.append(
        "| Page d'une demande : nombre de requêtes indépendant des messages et événements | "
        "épinglé par `tests/support/test_views_requests.py::"
        "test_request_page_query_count_does_not_grow_with_the_timeline` | tenu (test en CI) |"
    )
    lines.append(page_row("request", "p95 serveur ≤ 40 ms"))
    lines.append(page_row("dashboard", "p95 serveur ≤ 300 ms (sous charge)"))
    worst = max(dashboards, key=lambda d: d["p95"])
    lines.append(
        f"| Tableaux de bord du pilote, page par page, 50 requêtes successives : p95 ≤ 300 ms "
        f"| pire page `{worst['path']}` : p95 {worst['p95']:.0f} ms "
        f"({len(dashboards)} pages, froid jusqu'à {max(d['cold'] for d in dashboards):.0f} ms) "
        f"| {verdict(all(d['p95'] <= 300 for d in dashboards))} |"
    )
    seed = figures.get("seed")
    if seed:
        lines.append(
            f"| `seed_demo --requests 200000` ≤ 2 min | {seed['seconds']:.0f} s | "
            f"{verdict(seed['seconds'] <= SEED_BUDGET_S)} |"
        )
    else:
        lines.append("| `seed_demo --requests 200000` ≤ 2 min | non mesuré (`--skip-seed`) | - |")
    for fanout in figures["fanouts"]:
        holds = (
            fanout["seconds"] <= FANOUT_BUDGET_S
            and not fanout["duplicates"]
            and not fanout["missing"]
        )
        broker = FRENCH.get(fanout["broker"], fanout["broker"])
        lines.append(
            f"| Rappels : 10 000 envois ≤ 60 s avec un worker, zéro doublon "
            f"({fanout['database']}, {broker}) | **{fanout['seconds']:.0f} s** "
            f"(temps CPU du worker {fanout['worker_cpu_seconds']:.0f} s), "
            f"{thousands(fanout['emails'])} e-mails, {fanout['duplicates']} doublon(s), "
            f"{fanout['missing']} manquant(s) | {verdict(holds)} |"
        )
    lines += ["", "Sans budget propre, mesurés sous la même charge :", ""]
    lines += [
        "| Page | serveur p50 | serveur p95 | locust p50 | locust p95 | débit | échecs |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("ddi_list", "file"):
        p = pages[name]
        lines.append(
            f"| {p['label']} | {p['server_p50']:.0f} ms | {p['server_p95']:.0f} ms "
            f"| {p['p50']:.0f} ms | {p['p95']:.0f} ms | "
            f"{decimal(p['per_second'])} req/s | {p['failures']} |"
        )
    lines += ["", "Tableaux de bord, page par page (50 requêtes successives, cache chaud) :", ""]
    lines += ["| Page | froid | p50 | p95 | max |", "| --- | --- | --- | --- | --- |"]
    for d in dashboards:
        lines.append(
            f"| `{d['path']}` | {d['cold']:.0f} ms | {d['p50']:.0f} ms | {d['p95']:.0f} ms "
            f"| {d['max']:.0f} ms |"
        )
    return "\n".join(lines)


def write_doc(text: str) -> None:
    document = DOC.read_text() if DOC.exists() else f"# Bancs d'essai\n\n{START}\n{END}\n"
    before, _sep, rest = document.partition(START)
    _old, _sep, after = rest.partition(END)
    DOC.write_text(f"{before}{START}\n{text}\n{END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--seconds", default="30")
    parser.add_argument("--users", default="2")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    figures: dict = {"machine": machine(), "loads": {}}

    if not options.skip_seed:
        figures["loads"]["seed"] = load()
        figures["seed"] = measure_seed()
    figures["loads"]["tableaux de bord"] = load()
    script("dashboard.py", "--json", str(OUT / "dashboards.json"))
    figures["dashboards"] = json.loads((OUT / "dashboards.json").read_text())
    figures["loads"]["pages"] = load()
    script(
        "pages.py",
        "--seconds", options.seconds, "--users", options.users,
        "--json", str(OUT / "pages.json"),
    )  # fmt: skip
    figures["pages"] = json.loads((OUT / "pages.json").read_text())
    figures["fanouts"] = []
    for label, env in (
        ("rappels PostgreSQL", {"BENCH_DATABASE_URL": FANOUT_DATABASE_URL,
                                "BENCH_REDIS_URL": FANOUT_REDIS_URL}),
        ("rappels SQLite", {}),
    ):  # fmt: skip
        if env:
            create_database(FANOUT_DATABASE_URL)
        figures["loads"][label] = load()
        target = OUT / f"fanout-{len(figures['fanouts'])}.json"
        script("reminders_fanout.py", "--json", str(target), env=env)
        figures["fanouts"].append(json.loads(target.read_text()))

    text = table(figures)
    write_doc(text)
    print()
    print(text)
    print(f"\nWritten to {DOC.relative_to(BASE_DIR)}.")


def create_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.strip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
