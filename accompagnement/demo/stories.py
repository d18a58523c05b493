"""The story of each demo request (filing, replies, notes, status changes, timeline), as
rows ready to be written in bulk by `requests.py`, which describes the whole seeding."""

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta

from accompagnement.demo.dates import (
    LOCAL_TZ,
    last_working_moment,
    office_hours,
    working_day_on_or_after,
)
from accompagnement.demo.texts import (
    AGENT_ADDENDA,
    AGENT_REPLIES,
    ASKS,
    CATEGORY_WEIGHTS,
    CHORUS_OBJECTS,
    GENERIC_TOPIC,
    INTERNAL_NOTES,
    OPENINGS,
    PRIORITIES,
    PRIORITY_WEIGHTS,
    PRIORITY_WEIGHTS_YEAR_END,
    REDIRECT_CONTACTS,
    RESOLUTIONS,
    STATUS_BY_AGE,
    TEAM_FIRST_REPLIES,
    TEAM_QUESTIONS,
    TOPICS,
    YEAR_END_MONTHS,
)
from accompagnement.demo.world import TeamInfo, World, _cumulative
from accompagnement.support.enums import EscalationTarget, EventKind, MessageKind, Status
from accompagnement.support.services.clock import pause_comment, resume_comment
from accompagnement.support.sla import (
    schedule_fields,
    sla_schedule,
    working_days_between_dates,
    working_seconds_between,
)

# ---------------------------------------------------------------------------- the world


def _working_days(created_local: datetime, end: datetime | None) -> int | None:
    """`sla.working_days_elapsed`, without its per-call time-zone lookups."""
    if end is None:
        return None
    return working_days_between_dates(created_local.date(), end.astimezone(LOCAL_TZ).date())


# ---------------------------------------------------------------------------- one request


REQUEST_COLUMNS = (
    "reference",
    "ddi_id",
    "requester_id",
    "axis",
    "category_id",
    "programme_id",
    "service_centre_id",
    "chorus_object",
    "chorus_reference",
    "title",
    "body",
    "priority",
    "status",
    "assignee_id",
    "escalation_target",
    "escalation_ministry_id",
    "escalation_service_centre_id",
    "redirect_contact",
    "created_at",
    "sla_started_at",
    "sla_paused_at",
    "sla_paused_seconds",
    "first_response_due",
    "first_response_warning_at",
    "resolution_due",
    "resolution_warning_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "last_activity_at",
    "reopened_count",
    "first_response_days",
    "resolution_days",
    "version",
)
# What the model would default to (COPY does not know Python defaults).
REQUEST_DEFAULTS = {
    "chorus_object": "",
    "chorus_reference": "",
    "escalation_target": "",
    "redirect_contact": "",
    "reopened_count": 0,
    "sla_paused_seconds": 0,
    "version": 1,
}


class RequestRow:
    """The columns of one request, before it is written."""

    __slots__ = REQUEST_COLUMNS

    def __init__(self, **values):
        for name in REQUEST_COLUMNS:
            setattr(self, name, values.get(name, REQUEST_DEFAULTS.get(name)))

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, name) for name in REQUEST_COLUMNS)


# Rows of the children, without their request (known once the requests are written).
MESSAGE_COLUMNS = ("author_id", "kind", "body", "created_at")
EVENT_COLUMNS = (
    "actor_id",
    "kind",
    "field",
    "old_value",
    "new_value",
    "comment",
    "is_public",
    "created_at",
)


@dataclass
class Built:
    request: RequestRow
    messages: list[tuple]  # MESSAGE_COLUMNS
    events: list[tuple]  # EVENT_COLUMNS
    followers: list[int]


class RequestBuilder:
    """Builds one request and its story, consistent with the workflow's transitions."""

    def __init__(self, world: World, rng: random.Random, now: datetime):
        self.world, self.rng, self.now = world, rng, now
        self.category_cumulative_by_season = {
            season: _cumulative(
                self._category_weight(code, season) for _, _, code in world.categories
            )
            for season in (False, True)
        }

    @staticmethod
    def _category_weight(code: str, year_end_season: bool) -> float:
        if code in CATEGORY_WEIGHTS:
            return CATEGORY_WEIGHTS[code]
        if code in {"calendrier-fin-gestion", "charges-a-payer", "bascule-ej", "reports-credits"}:
            return 12 if year_end_season else 0.5
        if code == "demarrage-gestion":
            return 10 if year_end_season else 0.3
        return 2

    def _status(self, age_days: float) -> str:
        for limit, table in STATUS_BY_AGE:
            if limit is None or age_days < limit:
                statuses, weights = zip(*table, strict=True)
                return self.rng.choices(statuses, weights=weights)[0]
        raise AssertionError  # the last row has no limit

    def _assignee(self, ministry_id: int | None, programme_id: int | None) -> TeamInfo:
        rng, team = self.rng, self.world.team
        if programme_id is not None and rng.random() < 0.6:
            referents = [
                t for t in team if programme_id in t.programme_ids or t.ministry_id == ministry_id
            ]
            if referents:
                return rng.choice(referents)
        return rng.choices(team, cum_weights=self.world.team_cumulative)[0]

    def _text(self, code: str, context: dict) -> tuple[str, str]:
        titles, details = TOPICS.get(code, GENERIC_TOPIC)
        rng = self.rng
        title = rng.choice(titles).format(**context)
        body = f"{rng.choice(OPENINGS)}\n\n{rng.choice(details)}\n\n{rng.choice(ASKS)}"
        if context["ref"]:
            body += f"\n\nRéférence Chorus : {context['ref']}."
        return title, body

    def build(self, created_at: datetime, reference: str) -> Built:
        rng, world, now = self.rng, self.world, self.now
        ddi = world.ddis[bisect(world.ddi_cumulative, rng.random() * world.ddi_cumulative[-1])]
        if ddi.demo_agent and rng.random() < 0.7:
            requester = ddi.demo_agent
        else:
            requester = rng.choice(ddi.agents)
        local = created_at.astimezone(LOCAL_TZ)
        season = local.month in YEAR_END_MONTHS
        cumulative = self.category_cumulative_by_season[season]
        category_pk, axis, code = world.categories[
            bisect(cumulative, rng.random() * cumulative[-1])
        ]
        priority = rng.choices(
            PRIORITIES,
            weights=PRIORITY_WEIGHTS_YEAR_END if axis == "year_end" else PRIORITY_WEIGHTS,
        )[0]

        programme = service_centre = ministry_id = None
        programme_code, csp_name = "333", "du département"
        if ddi.attachments and (rng.random() < 0.65 or code == "credits-bop"):
            programme, programme_code, ministry_id, service_centre, csp_name = rng.choice(
                ddi.attachments
            )
        chorus_object = CHORUS_OBJECTS.get(code, "")
        ej, dp, tiers = (f"{rng.randrange(10**9, 10**10)}" for _ in range(3))
        chorus_reference = {"ej": ej, "dp": dp, "tiers": tiers}.get(chorus_object, "")
        if chorus_object == "restitution" and rng.random() < 0.5:
            chorus_reference = "INF-BUD-53"
        title, body = self._text(
            code,
            {
                "p": programme_code,
                "csp": csp_name,
                "ej": ej,
                "dp": dp,
                "tiers": tiers,
                "y": local.year,
                "y1": local.year + 1,
                "ref": chorus_reference,
            },
        )
        schedule = sla_schedule(priority, created_at, ddi.subdivision)
        age_days = (now - created_at).total_seconds() / 86400
        status = self._status(age_days)

        request = RequestRow(
            reference=reference,
            ddi_id=ddi.pk,
            requester_id=requester,
            axis=axis,
            category_id=category_pk,
            programme_id=programme,
            service_centre_id=service_centre,
            chorus_object=chorus_object,
            chorus_reference=chorus_reference,
            title=title[:200],
            body=body,
            priority=priority,
            status=status,
            created_at=created_at,
            last_activity_at=created_at,
            **schedule_fields(schedule),
        )
        story = Story(request, self, requester, ddi.subdivision)
        story.tell(ministry_id)
        if story.paused_seconds:
            # The pauses push the due dates back, as `services/clock.py` does.
            request.sla_paused_seconds = story.paused_seconds
            for name, value in schedule_fields(
                sla_schedule(
                    priority,
                    created_at,
                    ddi.subdivision,
                    paused_seconds=story.paused_seconds,
                    started_at=schedule.started_at,
                )
            ).items():
                setattr(request, name, value)
        request.first_response_days = _working_days(local, request.first_response_at)
        request.resolution_days = _working_days(local, request.resolved_at)
        followers = [requester]
        if len(ddi.agents) > 1 and rng.random() < 0.15:
            other = rng.choice(ddi.agents)
            if other != requester:
                followers.append(other)
        return Built(request, story.messages, story.events, followers)


class Story:
    """The messages and events of one request, in time order, ending in its status."""

    def __init__(
        self, request: RequestRow, builder: RequestBuilder, requester: int, subdivision: str | None
    ):
        self.request, self.builder, self.rng = request, builder, builder.rng
        self.requester, self.subdivision = requester, subdivision
        self.messages: list[tuple] = []
        self.events: list[tuple] = []
        # The team's clock: stopped since (waiting for the DDI or a partner), and the
        # working time of the pauses already over.
        self.paused_at: datetime | None = None
        self.paused_seconds = 0

    def _event(self, at, actor, kind, *, field="", old="", new="", comment="", public=True):
        # Plain strings (not enum members): the rows may go straight to COPY.
        self.events.append((actor, str(kind), field, str(old), str(new)[:255], comment, public, at))

    def _status(self, at, actor, old, new, comment=""):
        self._event(at, actor, EventKind.STATUS, field="status", old=old, new=new, comment=comment)

    def _pause(self, at, status):
        """The clock stops (team-only timeline line, as `services/clock.py` writes it)."""
        self.paused_at = self.request.sla_paused_at = at
        self._event(at, None, EventKind.CLOCK_PAUSED, comment=pause_comment(status), public=False)

    def _resume(self, at):
        paused = working_seconds_between(self.paused_at, at, self.subdivision)
        self.paused_seconds += paused
        self.paused_at = self.request.sla_paused_at = None
        self._event(at, None, EventKind.CLOCK_RESUMED, comment=resume_comment(paused), public=False)

    def _message(self, at, author, body, *, internal=False, event=True):
        kind = MessageKind.INTERNAL if internal else MessageKind.PUBLIC
        self.messages.append((author, str(kind), body, at))
        if event:
            kind = EventKind.NOTE if internal else EventKind.REPLIED
            self._event(at, author, kind, public=not internal)

    def _at(self, moment: datetime) -> datetime:
        """`moment` moved into office hours, never before the previous step nor after now."""
        self.cursor = max(self.cursor, min(office_hours(moment, self.subdivision), self.latest))
        return self.cursor

    def _between(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        span = max((end - start).total_seconds(), 1.0)
        return sorted(start + timedelta(seconds=self.rng.uniform(0, span)) for _ in range(n))

    def tell(self, ministry_id: int | None) -> None:
        request, rng, builder = self.request, self.rng, self.builder
        world = builder.world
        created, status = request.created_at, request.status
        self.cursor = created
        # Now, or (on a day off) the end of the last working day: every step of the story
        # falls on a working day.
        self.latest = latest = max(
            created, last_working_moment(builder.now - timedelta(seconds=30), self.subdivision)
        )
        self._event(created, self.requester, EventKind.CREATED, new=Status.NEW)

        # The team's first answer: mostly within the SLA, sometimes late.
        window = request.first_response_due - created
        first = created + window * (
            rng.uniform(0.05, 0.9) if rng.random() < 0.85 else rng.uniform(1.0, 2.5)
        )
        first = min(first, created + (latest - created) * rng.uniform(0.3, 0.7))
        assignee = builder._assignee(ministry_id, request.programme_id)
        triage_at = self._at(created + (first - created) * rng.uniform(0.1, 0.6))

        if status == Status.NEW:
            if rng.random() < 0.3:
                request.assignee_id = assignee.pk
                self._event(
                    triage_at,
                    world.pilot.pk,
                    EventKind.ASSIGNED,
                    field="assignee",
                    new=assignee.name,
                )
            if rng.random() < 0.6:
                self._message(triage_at, self.requester, rng.choice(AGENT_ADDENDA))
            else:
                self._message(triage_at, world.pilot.pk, rng.choice(INTERNAL_NOTES), internal=True)
            request.last_activity_at = triage_at
            return

        if status == Status.REDIRECTED and rng.random() < 0.6:
            # Outside the team's remit, seen at triage.
            self._redirect(triage_at, assignee.pk, Status.NEW, rng.choice(REDIRECT_CONTACTS))
            return

        request.assignee_id = assignee.pk
        triager = world.pilot.pk if rng.random() < 0.7 else assignee.pk
        self._event(triage_at, triager, EventKind.ASSIGNED, field="assignee", new=assignee.name)
        first_at = request.first_response_at = self._at(first)
        self._message(first_at, assignee.pk, rng.choice(TEAM_FIRST_REPLIES))
        self._status(first_at, assignee.pk, Status.NEW, Status.IN_PROGRESS)

        # Where the story ends: its resolution (finished requests) or now (open ones).
        if status in (Status.RESOLVED, Status.CLOSED, Status.REDIRECTED):
            target = request.resolution_due - created
            if rng.random() < 0.85:
                end = created + target * rng.uniform(0.3, 1.0)
            else:
                end = request.resolution_due + timedelta(days=rng.expovariate(1 / 5))
            end = min(max(end, first_at + timedelta(hours=1)), first_at + (latest - first_at) * 0.8)
        else:
            end = first_at + (latest - first_at) * rng.uniform(0.3, 1.0)

        # In between: questions and answers, internal notes; 6 messages at most in all.
        last_messages = 1 if status in (Status.WAITING_DDI, Status.RESOLVED, Status.CLOSED) else 0
        room = 6 - 1 - last_messages - (1 if status == Status.REDIRECTED else 0)
        steps = []
        while room > 0 and rng.random() < 0.45:
            if room >= 2 and rng.random() < 0.6:
                steps += ["ask", "answer"]
                room -= 2
            else:
                steps.append("note")
                room -= 1
        for step, moment in zip(steps, self._between(first_at, end, len(steps)), strict=True):
            at = self._at(moment)
            if step == "note":
                author = rng.choice(world.team).pk if rng.random() < 0.4 else assignee.pk
                self._message(at, author, rng.choice(INTERNAL_NOTES), internal=True)
            elif step == "ask":
                self._message(at, assignee.pk, rng.choice(TEAM_QUESTIONS))
                self._status(at, assignee.pk, Status.IN_PROGRESS, Status.WAITING_DDI)
                self._pause(at, Status.WAITING_DDI)
            else:
                self._message(at, self.requester, rng.choice(AGENT_REPLIES))
                self._status(at, self.requester, Status.WAITING_DDI, Status.IN_PROGRESS)
                self._resume(at)
        at = self._at(end)

        if status == Status.WAITING_DDI:
            self._message(at, assignee.pk, rng.choice(TEAM_QUESTIONS))
            self._status(at, assignee.pk, Status.IN_PROGRESS, Status.WAITING_DDI)
            self._pause(at, Status.WAITING_DDI)
        elif status == Status.ESCALATED:
            self._escalate(at, assignee.pk, request, ministry_id)
        elif status == Status.REDIRECTED:
            self._redirect(at, assignee.pk, Status.IN_PROGRESS, rng.choice(REDIRECT_CONTACTS))
        elif status in (Status.RESOLVED, Status.CLOSED):
            self._message(at, assignee.pk, rng.choice(RESOLUTIONS))
            self._status(at, assignee.pk, Status.IN_PROGRESS, Status.RESOLVED)
            request.resolved_at = at
            if status == Status.CLOSED:
                # Closed by the DDI within days, or by the nightly job after two weeks.
                if rng.random() < 0.35:
                    closer, closed_at = (
                        self.requester,
                        self._at(at + timedelta(days=rng.uniform(0.5, 4))),
                    )
                else:
                    # The nightly job, two weeks on (the first working night after).
                    closer, closed_at = None, at + timedelta(days=14)
                    day = working_day_on_or_after(
                        closed_at.astimezone(LOCAL_TZ).date(), self.subdivision
                    )
                    nightly = datetime(day.year, day.month, day.day, 3, tzinfo=LOCAL_TZ)
                    closed_at = min(nightly, latest)
                    closed_at = self.cursor = max(closed_at, at)
                self._status(closed_at, closer, Status.RESOLVED, Status.CLOSED)
                request.closed_at = closed_at
        request.last_activity_at = self.cursor

    def _escalate(self, at, actor, request, ministry_id):
        rng, world = self.rng, self.builder.world
        target = rng.choices(
            (
                EscalationTarget.MINISTRY,
                EscalationTarget.AIFE,
                EscalationTarget.CSP,
                EscalationTarget.BUDGET,
            ),
            weights=(40, 30, 20, 10),
        )[0]
        if target == EscalationTarget.MINISTRY:
            ministry_id = ministry_id or rng.choice(list(world.ministries))
            request.escalation_ministry_id = ministry_id
            label = f"l'équipe Chorus du ministère {world.ministries[ministry_id]}"
        elif target == EscalationTarget.CSP:
            csp_id = request.service_centre_id or rng.choice(list(world.service_centre_names))
            request.escalation_service_centre_id = csp_id
            label = f"le CSP {world.service_centre_names[csp_id]}"
        elif target == EscalationTarget.AIFE:
            label = "l'AIFE"
        else:
            label = "la direction du Budget"
        request.escalation_target = target
        self._status(at, actor, Status.IN_PROGRESS, Status.ESCALATED)
        self._pause(at, Status.ESCALATED)
        self._event(at, actor, EventKind.ESCALATED, field="escalation_target", new=label)

    def _redirect(self, at, actor, old_status, contact):
        request = self.request
        request.redirect_contact = contact
        request.closed_at = at
        self._status(at, actor, old_status, Status.REDIRECTED)
        self._event(at, actor, EventKind.REDIRECTED, new=contact)
        self._message(
            at,
            actor,
            "Votre demande ne relève pas de l'équipe interministérielle d'accompagnement. "
            f"Adressez-vous à :\n\n{contact}",
            event=False,
        )
        request.last_activity_at = at
