"""Team load: the open requests of each member and of each home structure, weighted by the
share of time people give the team, and the oldest requests nobody has taken yet.

Requests are filtered by the scope's filters but the period: the load is what is open
now, whenever it was filed.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accompagnement.accounts.models import TeamMember, User
from accompagnement.steering.dashboards.scope import Scope
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table
from accompagnement.support.enums import OPEN_STATUSES, PRIORITY_SHORT_LABELS
from accompagnement.support.models import SupportRequest, sla_breached_q
from accompagnement.support.selectors.queue import team_members
from accompagnement.support.sla import SlaState, working_days_between

UNASSIGNED_LIMIT = 10


@dataclass(frozen=True)
class _Load:
    open: int
    overdue: int
    oldest: datetime | None


NO_LOAD = _Load(0, 0, None)


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _per_full_time(open_count: int, full_time: Decimal) -> Decimal | None:
    """Open requests per full-time equivalent: 6 open at 50 % → 12,0."""
    return _one_decimal(Decimal(open_count) / full_time) if full_time else None


def _open_requests(scope: Scope) -> QuerySet[SupportRequest]:
    return scope.requests().filter(status__in=OPEN_STATUSES).order_by()


def tables(scope: Scope, *, now: datetime | None = None) -> list[Table]:
    """`members`, `structures` and `unassigned`. 3 queries: the open requests counted per
    assignee, the team (`support.selectors.queue.team_members`, as the queue's filters list
    it), the oldest unassigned requests."""
    now = now or timezone.now()
    # Past a due date of the team's clock (for a paused one: before it stopped).
    overdue = sla_breached_q(now)
    loads: dict[int | None, _Load] = {}
    structures_of_assignees: dict[int, int] = {}
    for assignee_id, structure_id, open_count, overdue_count, oldest in (
        _open_requests(scope)
        .values_list("assignee_id", "assignee__team_profile__structure_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue), oldest=Min("created_at"))
    ):
        loads[assignee_id] = _Load(open_count, overdue_count, oldest)
        if structure_id is not None:
            structures_of_assignees[assignee_id] = structure_id
    team = team_members()
    return [
        members_table(scope, team, loads, now),
        structures_table(scope, team, loads, structures_of_assignees),
        unassigned_table(scope, loads.get(None, NO_LOAD).open, now),
    ]


def _profile(user: User) -> TeamMember | None:
    return getattr(user, "team_profile", None)


# ---------------------------------------------------------------------------- members


def members_table(
    scope: Scope, team: list[User], loads: dict[int | None, _Load], now: datetime
) -> Table:
    """Each active member and the pilot, the most loaded (per full-time equivalent) first."""
    entries = []
    for user in team:
        profile = _profile(user)
        share = Decimal(profile.time_share) / 100 if profile else None
        load = loads.get(user.pk, NO_LOAD)
        weighted = _per_full_time(load.open, share) if share else None
        entries.append((user, profile, share, load, weighted))
    entries.sort(key=lambda e: (e[4] is None, -(e[4] or 0)))

    rows = []
    for user, profile, share, load, weighted in entries:
        open_url = scope.queue_url(period=False, status="open", assignee=user.pk)
        rows.append(
            [
                Cell(user.get_full_name() or user.email),
                Cell(profile.structure.name if profile else ""),
                Cell(float(share) if share is not None else None),
                Cell(load.open, open_url),
                Cell(
                    load.overdue,
                    scope.queue_url(
                        period=False, status="open", assignee=user.pk, sla=SlaState.BREACHED
                    ),
                ),
                Cell(weighted),
                Cell(working_days_between(load.oldest, now) if load.oldest else None),
            ]
        )
    total_open = sum(e[3].open for e in entries)
    total_share = sum((e[2] for e in entries if e[2] is not None), Decimal(0))
    footer = [
        Cell(_("Total")),
        Cell(""),
        Cell(None),
        Cell(total_open),
        Cell(sum(e[3].overdue for e in entries)),
        Cell(_per_full_time(sum(e[3].open for e in entries if e[2]), total_share)),
        Cell(None),
    ]
    return Table(
        key="members",
        title=_("Charge par membre"),
        columns=[
            Column("member", _("Membre"), Kind.TEXT),
            Column("structure", _("Structure"), Kind.TEXT),
            Column("time_share", _("Quotité"), Kind.PERCENT),
            Column("open", _("Demandes ouvertes"), Kind.INT),
            Column("overdue", _("Dont en retard"), Kind.INT),
            Column("weighted", _("Charge pour un temps plein"), Kind.DECIMAL),
            Column("oldest_age", _("Ancienneté de la plus ancienne (jours ouvrés)"), Kind.INT),
        ],
        rows=rows,
        description=_(
            "Demandes ouvertes attribuées à chaque membre actif et au pilote, et leur nombre "
            "rapporté à la quotité (6 demandes à 50 % : 12 pour un temps plein)."
        ),
        empty_message=_("Aucun membre actif."),
        footer=footer if rows else None,
    )


# ---------------------------------------------------------------------------- structures


def structures_table(
    scope: Scope,
    team: list[User],
    loads: dict[int | None, _Load],
    structures_of_assignees: dict[int, int],
) -> Table:
    """Per home structure of an active member: its active members, their full-time
    equivalents, and the open requests of everyone whose profile is in it, inactive members
    included (as the queue's `structure` filter counts them)."""
    names: dict[int, str] = {}
    members: dict[int, int] = {}
    full_time: dict[int, Decimal] = {}
    open_counts: dict[int, int] = {}
    for user in team:
        profile = _profile(user)
        if profile is None:
            continue
        names[profile.structure_id] = profile.structure.name
        members[profile.structure_id] = members.get(profile.structure_id, 0) + 1
        full_time[profile.structure_id] = (
            full_time.get(profile.structure_id, Decimal(0)) + Decimal(profile.time_share) / 100
        )
    for assignee_id, structure_id in structures_of_assignees.items():
        # Structures without an active member are left out, as from the queue's filter.
        if structure_id in names:
            open_counts[structure_id] = open_counts.get(structure_id, 0) + loads[assignee_id].open

    entries = []
    for structure_id, name in names.items():
        fte = full_time.get(structure_id, Decimal(0))
        open_count = open_counts.get(structure_id, 0)
        entries.append((structure_id, name, fte, open_count, _per_full_time(open_count, fte)))
    entries.sort(key=lambda e: (e[4] is None, -(e[4] or 0), e[1]))

    rows = []
    for structure_id, name, fte, open_count, per_fte in entries:
        url = scope.queue_url(period=False, status="open", structure=structure_id)
        rows.append(
            [
                Cell(name),
                Cell(members.get(structure_id, 0)),
                Cell(_one_decimal(fte)),
                Cell(open_count, url),
                Cell(per_fte, url),
            ]
        )
    total_fte = sum(full_time.values(), Decimal(0))
    total_open = sum(open_counts.values())
    footer = [
        Cell(_("Total")),
        Cell(sum(members.values())),
        Cell(_one_decimal(total_fte)),
        Cell(total_open),
        Cell(_per_full_time(total_open, total_fte)),
    ]
    return Table(
        key="structures",
        title=_("Charge par structure d’origine"),
        columns=[
            Column("structure", _("Structure"), Kind.TEXT),
            Column("members", _("Membres actifs"), Kind.INT),
            Column("full_time", _("Équivalents temps plein"), Kind.DECIMAL),
            Column("open", _("Demandes ouvertes"), Kind.INT),
            Column("per_full_time", _("Demandes par temps plein"), Kind.DECIMAL),
        ],
        rows=rows,
        description=_(
            "Demandes ouvertes attribuées aux membres de chaque structure, rapportées à la "
            "somme de leurs quotités."
        ),
        empty_message=_("Aucune structure n’a de membre actif."),
        footer=footer if rows else None,
    )


# ---------------------------------------------------------------------------- unassigned


def unassigned_table(scope: Scope, total: int, now: datetime) -> Table:
    """The 10 oldest open requests that nobody has taken, and how many there are in all."""
    requests = (
        _open_requests(scope)
        .filter(assignee__isnull=True)
        .select_related("ddi__department")
        .only("reference", "title", "created_at", "priority", "ddi__kind", "ddi__department__code")
        .order_by("created_at", "pk")[:UNASSIGNED_LIMIT]
    )
    rows = [
        [
            Cell(r.reference, reverse("support:detail", args=[r.reference])),
            Cell(r.ddi.acronym),
            Cell(r.title),
            Cell(r.created_at),
            Cell(working_days_between(r.created_at, now)),
            Cell(str(PRIORITY_SHORT_LABELS.get(r.priority, r.priority))),
        ]
        for r in requests
    ]
    all_url = scope.queue_url(period=False, status="open", unassigned="on")
    footer = [
        Cell(
            _("Toutes les demandes ouvertes non attribuées : %(count)s") % {"count": total}, all_url
        ),
        *(Cell(None) for _column in range(5)),
    ]
    return Table(
        key="unassigned",
        title=_("Demandes non attribuées les plus anciennes"),
        columns=[
            Column("reference", _("Référence"), Kind.TEXT),
            Column("ddi", _("DDI"), Kind.TEXT),
            Column("title", _("Titre"), Kind.TEXT),
            Column("created_at", _("Déposée le"), Kind.DATETIME),
            Column("age", _("Ancienneté (jours ouvrés)"), Kind.INT),
            Column("priority", _("Priorité"), Kind.TEXT),
        ],
        rows=rows,
        description=_(
            "Les plus anciennes (%(limit)s au plus) des %(count)s demandes ouvertes que "
            "personne n’a prises."
        )
        % {"limit": UNASSIGNED_LIMIT, "count": total},
        empty_message=_("Toutes les demandes ouvertes sont attribuées."),
        footer=footer if rows else None,
    )
