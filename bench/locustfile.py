"""The load of `bench/pages.py`: one locust user class per measured page, run one at a time.

    locust -f bench/locustfile.py --headless --host http://127.0.0.1:PORT -u 2 -r 2 -t 30s \
        --csv var/bench/queue --only-summary QueueUser

Each user signs in through the login form (CSRF token and all) as a demo account of the
role the page is for, then asks for its page without pause. Only the measured requests
carry the page's name (`queue`, `request`, `ddi_list`, `dashboard`, `file`); signing in
is named `login`, so that the CSV rows of the page are the page alone. Each measured
response's `Server-Timing` (the time Django took to build it, see
accompagnement/web/middleware.py) is recorded too, under the page's name followed by
`:server`: the budgets of DESIGN.md are server times. A filing posts the
form with its CSRF token, as an agent's browser does, and counts as a failure unless it is
answered by the redirection to the confirmation page.

The demo password and the references to open come from the environment
(`BENCH_PASSWORD`, `BENCH_REFERENCES`: comma-separated), set by `bench/pages.py`.
"""

import itertools
import os
import random
import re

from locust import FastHttpUser, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "")
REFERENCES = [r for r in os.environ.get("BENCH_REFERENCES", "").split(",") if r]
CATEGORY = os.environ.get("BENCH_CATEGORY", "")  # "<axis>:<pk>"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SERVER_TIMING = re.compile(r"\bapp;dur=([0-9.]+)")
SERVER = ":server"

# The shared queue: 50 rows a page, with the filters of the query-budget test.
QUEUE_FILTERS = [
    "",
    "?status=all&sort=-priority",
    "?q=restitution&axis=tool&overdue=on&sort=due",
    "?ddi_kind=DDT&unassigned=on&priority=high",
    "?status=in_progress&sort=-activity&page=2",
]


class SignedIn(FastHttpUser):
    abstract = True
    email = ""

    def plain_http_cookies(self) -> None:
        """The production settings mark the session and CSRF cookies Secure; the bench
        speaks plain HTTP to the loopback, so the jar is told to send them all the same."""
        for cookie in self.client.cookiejar:
            cookie.secure = False

    def token(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            self.plain_http_cookies()
            match = TOKEN.search(response.text or "")
            if response.status_code != 200 or not match:
                response.failure(f"no form at {path} ({response.status_code})")
                raise RuntimeError(f"No CSRF token at {path}")
            return match[1]

    def on_start(self) -> None:
        token = self.token("/connexion/", "login")
        with self.client.post(
            "/connexion/",
            data={"username": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.plain_http_cookies()
            if response.status_code != 302:
                response.failure(f"login of {self.email} refused ({response.status_code})")

    def server_time(self, response, name: str) -> None:
        """Record the server's own time for the response, as a request of its own."""
        found = SERVER_TIMING.search(response.headers.get("Server-Timing") or "")
        if found is None:
            response.failure("no Server-Timing header")
            return
        self.environment.events.request.fire(
            request_type="SERVER",
            name=name + SERVER,
            response_time=float(found[1]),
            response_length=0,
            exception=None,
            context={},
        )

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {response.status_code}")
            self.server_time(response, name)


class QueueUser(SignedIn):
    email = "membre.sgg@example.org"

    def on_start(self) -> None:
        super().on_start()
        self.filters = itertools.cycle(QUEUE_FILTERS)

    @task
    def queue(self) -> None:
        self.page("/equipe/file/" + next(self.filters), "queue")


class RequestPageUser(SignedIn):
    email = "membre.sgg@example.org"

    @task
    def request(self) -> None:
        self.page(f"/demandes/{random.choice(REFERENCES)}/", "request")  # noqa: S311


class DDIListUser(SignedIn):
    email = "agent.ddt01@example.org"

    @task
    def ddi_list(self) -> None:
        self.page("/demandes/", "ddi_list")


class DashboardUser(SignedIn):
    email = "pilote@example.org"

    @task
    def dashboard(self) -> None:
        self.page("/pilotage/", "dashboard")


class FileRequestUser(SignedIn):
    email = "agent.ddt21@example.org"

    @task
    def file(self) -> None:
        token = self.token("/demandes/nouvelle/", "file_form")
        axis, category = CATEGORY.split(":")
        with self.client.post(
            "/demandes/nouvelle/",
            data={
                "csrfmiddlewaretoken": token,
                "axis": axis,
                "category": category,
                "title": "Restitution INF-BUD-53 vide depuis lundi",
                "body": "Banc d'essai : la restitution **ne renvoie rien** depuis lundi.",
                "priority": "normal",
                "chorus_object": "",
                "chorus_reference": "",
            },
            name="file",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/confirmation" not in (
                response.headers.get("Location") or ""
            ):
                response.failure(f"filing answered {response.status_code}")
            self.server_time(response, "file")
