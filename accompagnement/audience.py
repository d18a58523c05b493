"""Who something is meant for: the one rule that says which DDIs an audience reaches.

Campaign milestones, training sessions and knowledge-base articles each target an audience
of DDIs by five criteria: the kinds of DDI, their regions, their departments, the
programmes they are attached for, the CSPs that serve them. An empty criterion means "all";
every criterion filled in must hold (AND across criteria), by any of its values (OR within
one). A model stores its audience as it likes (many-to-many relations, JSON lists): it
says which of its fields hold which criterion once, in an `AudienceFields`. The knowledge
base reads programmes its own way: those a DDI's kind uses (`ProgrammeUse`), not those it
is attached for (`programmes_used_by_kind`).

- `Audience.of(item, fields)`: an item's audience, an immutable value (no query when its
  relations are prefetched);
- `ddis_in(audience)`: the DDIs it reaches, in SQL;
- `reaches(audience, profile)`: whether it reaches one DDI, read once as a `DDIProfile`
  (`ddi_profile`, `ddi_profiles`: 1 query, whatever the number of DDIs);
- `meant_for(queryset, fields, ddi)`: a domain's items whose audience reaches one DDI, in
  SQL;
- `describe(audience)`: "Toutes les DDI", or "DDT, DDTM · programme 207"…
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from ddi.models import (
    DDI,
    Department,
    Programme,
    ProgrammeUse,
    Region,
    ServiceCentre,
    ServiceCentreAttachment,
)


class Member(NamedTuple):
    """One value of a criterion: a region, a department, a programme or a CSP."""

    pk: int
    label: str


# The criteria besides the kinds: the model of their values and the label describing one.
_TARGETS = {
    "regions": (Region, lambda region: region.name),
    "departments": (Department, lambda department: department.code),
    "programmes": (Programme, lambda programme: programme.code),
    "service_centres": (ServiceCentre, lambda centre: centre.name),
}


@dataclass(frozen=True)
class AudienceFields:
    """Which field of a model holds each criterion (None: the model has no such criterion).

    A field is a many-to-many relation or a JSON list (of kinds for `kinds`, of ids
    otherwise). `programmes_used_by_kind`: the programmes criterion reaches the DDIs whose
    kind uses one of them (`ProgrammeUse`) rather than those attached for one of them.
    """

    kinds: str | None = "ddi_kinds"
    regions: str | None = None
    departments: str | None = None
    programmes: str | None = None
    service_centres: str | None = None
    programmes_used_by_kind: bool = False

    def criteria(self) -> list[tuple[str, str]]:
        """`(criterion, field name)` of the criteria the model has, kinds first."""
        names = ("kinds", *_TARGETS)
        return [(name, getattr(self, name)) for name in names if getattr(self, name)]


@dataclass(frozen=True)
class Audience:
    """An audience: the values of each criterion, in the order they are shown."""

    kinds: tuple[str, ...] = ()
    regions: tuple[Member, ...] = ()
    departments: tuple[Member, ...] = ()
    programmes: tuple[Member, ...] = ()
    service_centres: tuple[Member, ...] = ()
    programmes_used_by_kind: bool = False

    @classmethod
    def targeting(
        cls,
        *,
        kinds: Iterable[str] = (),
        regions: Iterable[Region] = (),
        departments: Iterable[Department] = (),
        programmes: Iterable[Programme] = (),
        service_centres: Iterable[ServiceCentre] = (),
        programmes_used_by_kind: bool = False,
    ) -> "Audience":
        """The audience of these kinds and these reference rows (model instances)."""
        given = {
            "regions": regions,
            "departments": departments,
            "programmes": programmes,
            "service_centres": service_centres,
        }
        members = {
            name: tuple(Member(row.pk, _TARGETS[name][1](row)) for row in rows)
            for name, rows in given.items()
        }
        return cls(kinds=tuple(kinds), programmes_used_by_kind=programmes_used_by_kind, **members)

    @classmethod
    def of(cls, item: models.Model, fields: AudienceFields) -> "Audience":
        """`item`'s audience. Many-to-many relations are read with `.all()` (their
        prefetched rows, in the prefetch's order); a JSON list of ids costs a query."""
        values = {}
        for name, field_name in fields.criteria():
            stored = getattr(item, field_name)
            if name == "kinds":
                values[name] = tuple(stored or ())
            elif hasattr(stored, "all"):
                values[name] = stored.all()
            elif stored:
                values[name] = _TARGETS[name][0].objects.filter(pk__in=list(stored))
        return cls.targeting(programmes_used_by_kind=fields.programmes_used_by_kind, **values)

    def ids(self, criterion: str) -> frozenset[int]:
        return frozenset(member.pk for member in getattr(self, criterion))


# ---------------------------------------------------------------------------- one DDI


@dataclass(frozen=True)
class DDIProfile:
    """What an audience is matched against: a DDI's kind, region and department, the
    programmes it is attached for and the CSPs serving it (and, read on demand, the
    programmes its kind uses)."""

    id: int
    kind: str
    region_id: int
    department_id: int
    programme_ids: frozenset[int]
    service_centre_ids: frozenset[int]
    kind_programme_ids: frozenset[int] | None = None


def ddi_profiles(
    ddi_ids: Iterable[int] | None = None, *, kind_programmes: bool = False
) -> list[DDIProfile]:
    """The profiles of these DDIs (all by default), by id (1 query; 2 with the programmes
    each kind uses)."""
    rows = DDI.objects.values_list(
        "pk",
        "kind",
        "department__region_id",
        "department_id",
        "attachments__programme_id",
        "attachments__service_centre_id",
    ).order_by("pk")
    if ddi_ids is not None:
        rows = rows.filter(pk__in=list(ddi_ids))
    places, programmes, centres = {}, defaultdict(set), defaultdict(set)
    for ddi_id, kind, region_id, department_id, programme_id, centre_id in rows:
        places[ddi_id] = (kind, region_id, department_id)
        if programme_id is not None:
            programmes[ddi_id].add(programme_id)
            centres[ddi_id].add(centre_id)
    used = None
    if kind_programmes:
        used = defaultdict(set)
        kinds = {kind for kind, _region, _department in places.values()}
        for kind, programme_id in ProgrammeUse.objects.filter(ddi_kind__in=kinds).values_list(
            "ddi_kind", "programme_id"
        ):
            used[kind].add(programme_id)
    return [
        DDIProfile(
            id=ddi_id,
            kind=kind,
            region_id=region_id,
            department_id=department_id,
            programme_ids=frozenset(programmes[ddi_id]),
            service_centre_ids=frozenset(centres[ddi_id]),
            kind_programme_ids=None if used is None else frozenset(used[kind]),
        )
        for ddi_id, (kind, region_id, department_id) in places.items()
    ]


def ddi_profile(ddi_id: int, *, kind_programmes: bool = False) -> DDIProfile | None:
    profiles = ddi_profiles([ddi_id], kind_programmes=kind_programmes)
    return profiles[0] if profiles else None


def reaches(audience: Audience, profile: DDIProfile) -> bool:
    """Whether the audience reaches this DDI: every criterion filled in holds."""
    if audience.kinds and profile.kind not in audience.kinds:
        return False
    if audience.regions and profile.region_id not in audience.ids("regions"):
        return False
    if audience.departments and profile.department_id not in audience.ids("departments"):
        return False
    if audience.programmes:
        if audience.programmes_used_by_kind:
            if profile.kind_programme_ids is None:
                raise ValueError("Profil lu sans les programmes de son type de DDI.")
            held = profile.kind_programme_ids
        else:
            held = profile.programme_ids
        if not audience.ids("programmes") & held:
            return False
    return not audience.service_centres or bool(
        audience.ids("service_centres") & profile.service_centre_ids
    )


# ---------------------------------------------------------------------------- in SQL


def ddis_in(audience: Audience) -> QuerySet[DDI]:
    """The DDIs the audience reaches."""
    ddis = DDI.objects.all()
    if audience.kinds:
        ddis = ddis.filter(kind__in=audience.kinds)
    if audience.regions:
        ddis = ddis.filter(department__region_id__in=audience.ids("regions"))
    if audience.departments:
        ddis = ddis.filter(department_id__in=audience.ids("departments"))
    if audience.programmes:
        programme_ids = audience.ids("programmes")
        if audience.programmes_used_by_kind:
            uses = ProgrammeUse.objects.filter(programme_id__in=programme_ids)
            ddis = ddis.filter(kind__in=uses.values("ddi_kind"))
        else:
            attached = ServiceCentreAttachment.objects.filter(programme_id__in=programme_ids)
            ddis = ddis.filter(pk__in=attached.values("ddi_id"))
    if audience.service_centres:
        served = ServiceCentreAttachment.objects.filter(
            service_centre_id__in=audience.ids("service_centres")
        )
        ddis = ddis.filter(pk__in=served.values("ddi_id"))
    return ddis


class JSONListHolds(Func):
    """The JSON list in a column holds `value` exactly (a DDT is no DDTM): a containment
    on PostgreSQL, SQLite's `json_each` otherwise."""

    output_field = models.BooleanField()

    def __init__(self, field_name: str, value):
        super().__init__(F(field_name))
        self.value = value

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        # `column` is the compiled column reference, never user input.
        sql = f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, (*params, self.value)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} @> %s::jsonb)", (*params, json.dumps([self.value]))


def _held_by(criterion: str, ddi: DDI | DDIProfile, fields: AudienceFields):
    """The values of `criterion` the DDI holds: a list, or a subquery."""
    if criterion == "kinds":
        return [ddi.kind]
    if criterion == "programmes" and fields.programmes_used_by_kind:
        return ProgrammeUse.objects.filter(ddi_kind=ddi.kind).values_list("programme_id", flat=True)
    if isinstance(ddi, DDIProfile):
        return {
            "regions": [ddi.region_id],
            "departments": [ddi.department_id],
            "programmes": ddi.programme_ids,
            "service_centres": ddi.service_centre_ids,
        }[criterion]
    attachments = ServiceCentreAttachment.objects.filter(ddi_id=ddi.pk)
    return {
        "regions": Department.objects.filter(pk=ddi.department_id).values_list(
            "region_id", flat=True
        ),
        "departments": [ddi.department_id],
        "programmes": attachments.values_list("programme_id", flat=True),
        "service_centres": attachments.values_list("service_centre_id", flat=True),
    }[criterion]


def meant_for(queryset: QuerySet, fields: AudienceFields, ddi: DDI | DDIProfile) -> QuerySet:
    """The items of `queryset` whose audience (stored as `fields` say) reaches `ddi`: for
    each criterion, none given or one the DDI holds. No query of its own (a DDI's region,
    attachments and its kind's programmes are subqueries), but for a JSON list of regions,
    programmes or CSPs matched against a `DDI` rather than a profile (1 query each)."""
    model = queryset.model
    for criterion, field_name in fields.criteria():
        held = _held_by(criterion, ddi, fields)
        field = model._meta.get_field(field_name)
        if field.many_to_many:
            rows = field.remote_field.through.objects.filter(
                **{field.m2m_field_name(): OuterRef("pk")}
            )
            chosen = rows.filter(**{f"{field.m2m_reverse_field_name()}__in": held})
            condition = ~Exists(rows) | Exists(chosen)
        else:
            condition = Q(**{field_name: []})
            for value in held if isinstance(held, list | frozenset) else list(held):
                condition |= Q(JSONListHolds(field_name, value))
        queryset = queryset.filter(condition)
    return queryset


# ---------------------------------------------------------------------------- in words


def describe(audience: Audience, *, singular_programme: bool = True) -> str:
    """ "Toutes les DDI", or "DDT, DDTM · programme 207 · servies par CPCM Bretagne"…

    `singular_programme`: "programme 207" for a single programme (the calendar); without
    it, "programmes 207" whatever their number (the training sessions).
    """
    parts = []
    if audience.kinds:
        parts.append(", ".join(audience.kinds))
    if audience.regions:
        parts.append(", ".join(member.label for member in audience.regions))
    departments = [member.label for member in audience.departments]
    if departments:
        parts.append(
            (_("département %(codes)s") if len(departments) == 1 else _("départements %(codes)s"))
            % {"codes": ", ".join(departments)}
        )
    programmes = [member.label for member in audience.programmes]
    if programmes:
        parts.append(
            (
                _("programme %(codes)s")
                if singular_programme and len(programmes) == 1
                else _("programmes %(codes)s")
            )
            % {"codes": ", ".join(programmes)}
        )
    centres = [member.label for member in audience.service_centres]
    if centres:
        parts.append(_("servies par %(centres)s") % {"centres": ", ".join(centres)})
    return " · ".join(parts) if parts else _("Toutes les DDI")
