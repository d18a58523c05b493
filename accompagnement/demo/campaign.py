"""A demonstration campaign whose milestones fall due from today, so that the reminder jobs
have work.

Used by `manage.py seed_demo`; idempotent (the demo milestones are kept by code, and moved
to their new dates on a later day). A due date that would fall on a day off moves to the next
working day.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accompagnement.campaigns import selectors as campaigns_selectors
from accompagnement.campaigns.models import (
    DEFAULT_REMINDER_OFFSETS,
    Acknowledgement,
    Campaign,
    CampaignKind,
    Milestone,
    ReminderDelivery,
)
from accompagnement.demo.bulk import rows_write
from accompagnement.demo.dates import LOCAL_TZ, working_day_on_or_after, working_day_up_to
from accompagnement.demo.world import World
from ddi.enums import DDIKind

# ---------------------------------------------------------------------------- campaign


@dataclass(frozen=True)
class DemoMilestone:
    code: str
    days_from_today: int
    title: str
    explanation: str
    ddi_kinds: tuple[str, ...] = ()


DEMO_CAMPAIGN_TITLE = "Fin de gestion {year} (démonstration)"
DEMO_SOURCE = (
    "Jalon fictif créé par « manage.py seed_demo » pour la démonstration du portail : "
    "son échéance est recalculée à partir du jour où la commande est lancée."
)
# Due today, tomorrow, in a week and in a fortnight (or the next working day): with the
# default reminders (J-15, J-7, J-1, day of), plus one at the actual distance when the due
# date moved to a working day, each of them has a reminder due today.
DEMO_MILESTONES = [
    DemoMilestone(
        "demonstration-dernieres-da",
        0,
        "Démonstration — dernières demandes d'achat de l'exercice",
        "Jalon de démonstration. Saisissez dans Chorus Formulaires les dernières demandes "
        "d'achat de l'exercice, pour que votre CSP puisse engager les EJ avant la clôture.",
    ),
    DemoMilestone(
        "demonstration-service-fait",
        1,
        "Démonstration — service fait des EJ en cours",
        "Jalon de démonstration. Constatez le service fait des commandes livrées, pour que "
        "le CSP puisse mettre les demandes de paiement en paiement avant la clôture.",
        (DDIKind.DDT, DDIKind.DDTM),
    ),
    DemoMilestone(
        "demonstration-ej-a-basculer",
        7,
        "Démonstration — revue des EJ à basculer sur l'exercice suivant",
        "Jalon de démonstration. Avec votre CSP, listez les EJ non soldés à basculer sur "
        "l'exercice suivant et signalez ceux qui peuvent être clôturés.",
    ),
    DemoMilestone(
        "demonstration-dernieres-dp",
        15,
        "Démonstration — dernières demandes de paiement",
        "Jalon de démonstration. Transmettez à votre CSP les dernières factures à payer sur "
        "l'exercice ; au-delà, elles seront payées sur les crédits de l'exercice suivant.",
        (DDIKind.DDPP, DDIKind.DDCS, DDIKind.DDCSPP),
    ),
]


def demo_reminder_offsets(days_to_due_date: int) -> list[int]:
    """The default reminders, and one today whatever the distance to the due date."""
    return sorted({*DEFAULT_REMINDER_OFFSETS, days_to_due_date}, reverse=True)


@transaction.atomic
def seed_demo_campaign(*, today: date) -> dict[str, int]:
    """The current year's demonstration campaign, with milestones due from `today`.

    A rerun on the same day changes nothing. On a later day the demo milestones move to
    their new due dates and start again: their reminders and "done" are cleared (demo
    data only), so that the reminder jobs have something due that day too. A real
    year-end campaign of the same year (another title) is left alone, and no demo is made.
    """
    title = DEMO_CAMPAIGN_TITLE.format(year=today.year)
    campaign, _created = Campaign.objects.get_or_create(
        fiscal_year=today.year, kind=CampaignKind.YEAR_END, defaults={"title": title}
    )
    counts = {"created": 0, "moved": 0, "unchanged": 0, "skipped": 0}
    if campaign.title != title:
        counts["skipped"] = len(DEMO_MILESTONES)
        return counts
    existing = {m.code: m for m in campaign.milestones.all()}
    for demo in DEMO_MILESTONES:
        due_date = working_day_on_or_after(today + timedelta(days=demo.days_from_today))
        offsets = demo_reminder_offsets((due_date - today).days)
        milestone = existing.get(demo.code)
        if milestone is None:
            Milestone.objects.create(
                campaign=campaign,
                code=demo.code,
                title=demo.title,
                explanation=demo.explanation,
                due_date=due_date,
                ddi_kinds=list(demo.ddi_kinds),
                reminder_offsets=offsets,
                source=DEMO_SOURCE,
            )
            counts["created"] += 1
        elif milestone.due_date != due_date:
            milestone.due_date = due_date
            milestone.reminder_offsets = offsets
            milestone.save(update_fields=["due_date", "reminder_offsets"])
            ReminderDelivery.objects.filter(milestone=milestone).delete()
            Acknowledgement.objects.filter(milestone=milestone).delete()
            counts["moved"] += 1
        else:
            counts["unchanged"] += 1
    return counts


# Share of the targeted DDIs that marked a past milestone done, and how many did it late.
ACKNOWLEDGED_SHARE = 0.85
LATE_SHARE = 0.15


def past_acknowledgements_seed(world: World, rng: random.Random, now: datetime) -> int:
    """ "Done" marks on milestones already due, by one of each DDI's agents, mostly in the
    three weeks before the due date, some after it; only where none was recorded yet (the
    campaign board and its rate over time have something to show)."""
    today = timezone.localtime(now).date()
    milestones = list(
        campaigns_selectors.milestones_with_audience().filter(
            needs_acknowledgement=True, due_date__lt=today, acknowledgements__isnull=True
        )
    )
    if not milestones:
        return 0
    agents = {ddi.pk: ddi.agents for ddi in world.ddis if ddi.agents}
    subdivisions = {ddi.pk: ddi.subdivision for ddi in world.ddis}
    targeted = campaigns_selectors.ddis_targeted_by(milestones)
    rows = []
    for milestone in milestones:
        for ddi_id in sorted(targeted[milestone.pk]):
            if ddi_id not in agents or rng.random() > ACKNOWLEDGED_SHARE:
                continue
            if rng.random() < LATE_SHARE:
                day = milestone.due_date + timedelta(days=rng.randint(1, 10))
            else:
                day = milestone.due_date - timedelta(days=rng.randint(0, 20))
            day = working_day_up_to(day, today, subdivisions[ddi_id])
            moment = datetime(day.year, day.month, day.day, rng.randint(8, 17), tzinfo=LOCAL_TZ)
            rows.append((milestone.pk, ddi_id, rng.choice(agents[ddi_id]), moment))
    rows_write(
        Acknowledgement, ("milestone_id", "ddi_id", "acknowledged_by_id", "acknowledged_at"), rows
    )
    return len(rows)
