"""Fault tests: Redis stopped, the mail server refusing, PostgreSQL restarted.

They stop and start the services of the run itself, so they only run when asked
(`RUN_FAULT_TESTS=1`, CI's "Fault tests" step) and on PostgreSQL + Redis, which they
control with the same commands as `.ci/run`. Every fixture puts the service back, even
when the test fails.
"""

import os
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings

IS_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark_reason = (
    "Fault tests stop Redis and restart PostgreSQL: run them alone, with RUN_FAULT_TESTS=1, "
    'DATABASE_URL=postgres://… and REDIS_URL=redis://… (CI\'s "Fault tests" step does).'
)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("RUN_FAULT_TESTS") == "1" and settings.REDIS_URL and IS_POSTGRESQL:
        return
    skip = pytest.mark.skip(reason=pytestmark_reason)
    for item in items:
        if item.nodeid.startswith("tests/faults/"):
            item.add_marker(skip)


def wait_for(predicate, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}.")


# ---------------------------------------------------------------------------- Redis


class RedisServer:
    """The Redis server of REDIS_URL, stopped and started as `.ci/run` does."""

    def __init__(self):
        parts = urlsplit(settings.REDIS_URL)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 6379
        self.folder = tempfile.mkdtemp(prefix="faults-redis-")

    def ping(self) -> bool:
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-h", self.host, "-p", str(self.port), "ping"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() == "PONG"

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            ["redis-cli", "-h", self.host, "-p", str(self.port), "shutdown", "nosave"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        wait_for(lambda: not self.ping(), "Redis to stop")

    def start(self) -> None:
        if self.ping():
            return
        subprocess.run(  # noqa: S603
            [  # noqa: S607
                "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
                "--port", str(self.port), "--save", "", "--appendonly", "no",
                "--dir", self.folder, "--logfile", os.path.join(self.folder, "redis.log"),
            ],
            check=True,
        )  # fmt: skip
        wait_for(self.ping, "Redis to start")


@pytest.fixture
def redis_server():
    server = RedisServer()
    try:
        yield server
    finally:
        server.start()


# ---------------------------------------------------------------------------- PostgreSQL


class PostgresCluster:
    """The cluster serving the test database (found by its port in `pg_lsclusters`)."""

    def __init__(self):
        port = str(settings.DATABASES["default"].get("PORT") or 5432)
        lines = subprocess.run(
            ["pg_lsclusters", "--no-header"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        [(self.version, self.name)] = [
            (fields[0], fields[1]) for fields in map(str.split, lines) if fields[2] == port
        ]
        self.host = settings.DATABASES["default"].get("HOST") or "127.0.0.1"
        self.port = port

    def is_ready(self) -> bool:
        return (
            subprocess.run(  # noqa: S603
                ["pg_isready", "-q", "-h", self.host, "-p", self.port],  # noqa: S607
                check=False,
            ).returncode
            == 0
        )

    def ctl(self, action: str) -> None:
        subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],  # noqa: S607
            capture_output=True,
            check=action != "start",
        )

    def restart(self) -> None:
        self.ctl("restart")
        wait_for(self.is_ready, "PostgreSQL to accept connections again")


@pytest.fixture
def postgres_cluster():
    cluster = PostgresCluster()
    try:
        yield cluster
    finally:
        if not cluster.is_ready():
            cluster.ctl("start")
            wait_for(cluster.is_ready, "PostgreSQL to start")
