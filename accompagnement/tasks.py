"""Celery's entry point for the app: every package's tasks, and every periodic task of the
portal, declared in one place.

Celery's autodiscovery imports `accompagnement.tasks`; the imports below register the tasks
of each package (their names, `accompagnement.<task>`, do not depend on where they live).

Celery beat reads its schedules from the database (django-celery-beat's
`DatabaseScheduler`), so that the pilot can change them in the admin. `schedules_sync`
(run by `manage.py sync_schedules`, from `make data`) creates the ones below that are
missing and leaves the others alone: a schedule the pilot changed, or disabled, stays as
the pilot left it.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from accompagnement.alerts import tasks as alerts_tasks  # noqa: F401
from accompagnement.campaigns import tasks as campaigns_tasks  # noqa: F401
from accompagnement.interventions import tasks as interventions_tasks  # noqa: F401
from accompagnement.outbox import tasks as outbox_tasks  # noqa: F401
from accompagnement.partners import follow_up_tasks  # noqa: F401
from accompagnement.partners import tasks as partners_tasks  # noqa: F401
from accompagnement.privacy import tasks as privacy_tasks  # noqa: F401
from accompagnement.steering import tasks as steering_tasks  # noqa: F401
from accompagnement.support import tasks as support_tasks  # noqa: F401


@dataclass(frozen=True)
class Crontab:
    """A cron line, in the portal's time zone (Europe/Paris)."""

    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"


@dataclass(frozen=True)
class Schedule:
    name: str  # shown in the admin, and the identity of the schedule
    task: str  # a task name registered in the Celery app
    description: str
    every: timedelta | None = None
    crontab: Crontab | None = None
    kwargs: dict = field(default_factory=dict)
    # Dropped if not started within this delay (workers down): no pile-up of old runs.
    expire_seconds: int | None = None

    def __post_init__(self):
        if (self.every is None) == (self.crontab is None):
            raise ValueError(f"{self.name}: give either `every` or `crontab`.")


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        name="Notifications : renvoi des courriels en attente",
        task="accompagnement.send_pending_notifications",
        description=(
            "Remet dans la file les courriels non partis (broker ou serveur de messagerie "
            "indisponible, worker arrêté pendant l'envoi)."
        ),
        every=timedelta(minutes=5),
        expire_seconds=4 * 60,
    ),
    Schedule(
        name="Rappels des jalons du calendrier",
        task="accompagnement.milestone_reminders",
        description=(
            "Envoie aux agents des DDI visées qui n'ont pas marqué le jalon comme fait les "
            "rappels du jour (J-15, J-7, J-1, jour même, selon chaque jalon). Sans effet sur "
            "les rappels déjà envoyés : elle tourne toutes les 10 minutes pour qu'un rappel "
            "du jour parte peu après le démarrage."
        ),
        every=timedelta(minutes=10),
        expire_seconds=9 * 60,
    ),
    Schedule(
        name="Rappels des sessions d'intervention",
        task="accompagnement.intervention_reminders",
        description=(
            "Rappelle aux inscrits une session à J-7 et à J-1, et aux intervenants à J-1 "
            "avec la liste des DDI inscrites. Sans effet sur les rappels déjà envoyés."
        ),
        every=timedelta(minutes=10),
        expire_seconds=9 * 60,
    ),
    Schedule(
        name="Rappels des demandes en retard aux personnes attribuées",
        task="accompagnement.sla_reminders",
        description=(
            "Un courriel par demande en retard sur ses délais (première réponse ou "
            "résolution) à la personne de l'équipe qui la suit, une fois par jour ouvré."
        ),
        crontab=Crontab(minute="0", hour="8-18", day_of_week="1-5"),
        expire_seconds=50 * 60,
    ),
    Schedule(
        name="Alertes de l'équipe : échéances proches et dépassées",
        task="accompagnement.sla_alerts",
        description=(
            "Alerte la personne attribuée d'une demande dont l'échéance approche, et la "
            "personne attribuée et le pilote d'une demande dont l'échéance est dépassée : "
            "une fois par demande et par échéance."
        ),
        every=timedelta(minutes=15),
        expire_seconds=14 * 60,
    ),
    Schedule(
        name="Escalades : alertes et relances des partenaires",
        task="accompagnement.remind_escalations",
        description=(
            "Alerte la personne attribuée d'une escalade dont l'échéance du partenaire "
            "approche ou est dépassée, et relance le partenaire par courriel (échéance "
            "proche, puis retard, à intervalle d'heures ouvrées, au plus le nombre de "
            "relances prévu pour lui). Une relance n'est jamais envoyée deux fois."
        ),
        every=timedelta(minutes=15),
        expire_seconds=14 * 60,
    ),
    Schedule(
        name="Alertes de l'équipe : courriel groupé",
        task="accompagnement.alert_digests",
        description=(
            "Envoie à chaque membre, en un seul courriel, ses alertes des dernières minutes "
            "qu'il reçoit par courriel (les demandes urgentes partent aussitôt). Une alerte "
            "n'est jamais envoyée deux fois."
        ),
        every=timedelta(minutes=settings.ALERT_DIGEST_MINUTES),
        expire_seconds=max(settings.ALERT_DIGEST_MINUTES * 60 - 60, 30),
    ),
    Schedule(
        name="Relance des DDI et clôture des demandes sans réponse",
        task="accompagnement.waiting_requests_follow_up",
        description=(
            "Relance la DDI sur une demande en attente de sa réponse depuis 5 jours ouvrés ; "
            "clôture la demande après 15 jours ouvrés sans réponse."
        ),
        crontab=Crontab(minute="30", hour="8-18", day_of_week="1-5"),
        expire_seconds=50 * 60,
    ),
    Schedule(
        name="Synthèse hebdomadaire du pilotage",
        task="accompagnement.weekly_digest",
        description=(
            "Le lundi matin : demandes nouvelles, résolues et en retard de la semaine, jalons "
            "des deux semaines à venir avec leur taux de réalisation."
        ),
        crontab=Crontab(minute="0", hour="8", day_of_week="1"),
        expire_seconds=12 * 3600,
    ),
    Schedule(
        name="Relances des partenaires à faire (pilote)",
        task="accompagnement.follow_up_reminders",
        description=(
            "Chaque matin de jour ouvré, alerte les pilotes des relances de partenaires "
            "prévues pour le jour même ou avant et pas encore faites. Une relance n'est "
            "rappelée qu'une fois."
        ),
        crontab=Crontab(minute="0", hour="8", day_of_week="1-5"),
        expire_seconds=12 * 3600,
    ),
    Schedule(
        name="Anonymisation des demandes clôturées anciennes",
        task="accompagnement.personal_data_anonymise",
        description=(
            "Anonymise les demandes clôturées depuis plus que la durée de conservation "
            "(PERSONAL_DATA_RETENTION_DAYS) : noms, adresses, textes et fichiers retirés, "
            "chiffres du pilotage conservés. Sans effet sur les demandes déjà anonymisées."
        ),
        crontab=Crontab(minute="15", hour="3"),
        expire_seconds=6 * 3600,
    ),
)


def _interval(every: timedelta) -> IntervalSchedule:
    seconds = int(every.total_seconds())
    if seconds % 60:
        every_, period = seconds, IntervalSchedule.SECONDS
    else:
        every_, period = seconds // 60, IntervalSchedule.MINUTES
    # The table may hold duplicates (made in the admin): take any of them.
    existing = IntervalSchedule.objects.filter(every=every_, period=period).order_by("pk").first()
    return existing or IntervalSchedule.objects.create(every=every_, period=period)


def _crontab(cron: Crontab) -> CrontabSchedule:
    fields = {
        "minute": cron.minute,
        "hour": cron.hour,
        "day_of_week": cron.day_of_week,
        "day_of_month": cron.day_of_month,
        "month_of_year": cron.month_of_year,
        "timezone": settings.TIME_ZONE,
    }
    existing = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
    return existing or CrontabSchedule.objects.create(**fields)


@transaction.atomic
def schedules_sync(schedules: tuple[Schedule, ...] = SCHEDULES) -> dict[str, list[str]]:
    """Create the declared periodic tasks that are missing; never change existing ones.

    A schedule exists when a periodic task has its name, or runs its task with the same
    arguments (the pilot may have renamed it).
    """
    existing = list(PeriodicTask.objects.values_list("name", "task", "kwargs"))
    names = {name for name, _task, _kwargs in existing}
    runs = {
        (task, json.dumps(json.loads(kwargs or "{}"), sort_keys=True))
        for _n, task, kwargs in existing
    }
    report: dict[str, list[str]] = {"created": [], "existing": []}
    for schedule in schedules:
        kwargs = json.dumps(schedule.kwargs, sort_keys=True)
        if schedule.name in names or (schedule.task, kwargs) in runs:
            report["existing"].append(schedule.name)
            continue
        PeriodicTask.objects.create(
            name=schedule.name,
            task=schedule.task,
            description=schedule.description,
            kwargs=kwargs,
            interval=_interval(schedule.every) if schedule.every else None,
            crontab=_crontab(schedule.crontab) if schedule.crontab else None,
            expire_seconds=schedule.expire_seconds,
            # Without a start time, beat counts the first interval from the creation of
            # the row: a new interval schedule would first run 10 minutes after start.
            # With one, it runs at beat's first tick, then every interval.
            start_time=timezone.now() if schedule.every else None,
        )
        report["created"].append(schedule.name)
    return report
