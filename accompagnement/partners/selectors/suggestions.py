"""Which partner a request belongs to: the suggestions of the escalation and redirection
forms, and the ministry an escalation is filed under.

A partner's scope (programmes, Chorus objects, regions, departments; empty means all) is
matched against the request's programme, CSP, Chorus object, region and department:

- a scope that names the request's value is a specific match, with its reason in French
  ("programme 206", "objet DP", "région Bretagne"); a specific match ranks above a
  catch-all (an empty scope, which matches without a reason);
- a scope that names other values only rules the partner out;
- a CSP's partner (`Partner.service_centre`) fits the requests of its own CSP only; a
  ministry's team fits the requests of its ministry: the programme's ministry (a joint
  CPCM serves two ministries, the programme says which), else the CSP's ministries;
- a known exception comes first: a programme run outside the DDIs in a department
  (`ddi.ProgrammeException`, e.g. programme 177 in Paris and the petite couronne, run
  by the DRIHL) suggests the partner whose departments include the request's.

A partner with no specific match is not suggested. Everything is read in a handful of
queries, whatever the number of partners (a few hundred at most).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accompagnement.partners.models import Partner
from accompagnement.partners.wording import CHORUS_OBJECT_SHORT
from accompagnement.support.models import SupportRequest
from ddi.models import Ministry, ProgrammeException, Region

# What each kind of match weighs: the narrower the scope, the heavier.
EXCEPTION_WEIGHT = 100
DEPARTMENT_WEIGHT = 12
CSP_WEIGHT = 10
PROGRAMME_WEIGHT = 6
MINISTRY_WEIGHT = 4
CHORUS_OBJECT_WEIGHT = 3
REGION_WEIGHT = 2


@dataclass(frozen=True)
class Suggestion:
    partner: Partner
    score: int
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        """ "Équipe Chorus du MAAPRAT — programme 206, région Bretagne"."""
        return f"{self.partner.name} — {', '.join(self.reasons)}"


@dataclass(frozen=True)
class _Scope:
    """What one partner's scope names (identifiers)."""

    programmes: frozenset[int]
    regions: frozenset[int]
    departments: frozenset[int]
    ministries: frozenset[int]


@dataclass(frozen=True)
class _Request:
    """What the request says, for the matching."""

    programme_id: int | None
    programme_code: str
    service_centre_id: int | None
    chorus_object: str
    region_id: int | None
    department_id: int | None
    department_code: str
    # The programme's ministry, else the CSP's (two for a joint centre).
    ministry_ids: frozenset[int]
    # The programme is run outside the DDIs in the request's department.
    exception: bool


def _pairs(through, column: str, partner_ids) -> dict[int, frozenset[int]]:
    grouped: dict[int, set[int]] = defaultdict(set)
    for partner_id, value in through.objects.filter(partner_id__in=partner_ids).values_list(
        "partner_id", column
    ):
        grouped[partner_id].add(value)
    return defaultdict(frozenset, {pk: frozenset(values) for pk, values in grouped.items()})


def _scopes(partners: list[Partner]) -> dict[int, _Scope]:
    ids = [partner.pk for partner in partners]
    programmes = _pairs(Partner.programmes.through, "programme_id", ids)
    regions = _pairs(Partner.regions.through, "region_id", ids)
    departments = _pairs(Partner.departments.through, "department_id", ids)
    ministries = _pairs(Partner.ministries.through, "ministry_id", ids)
    return {pk: _Scope(programmes[pk], regions[pk], departments[pk], ministries[pk]) for pk in ids}


def request_ministry_ids(support_request: SupportRequest) -> frozenset[int]:
    """The ministries a request concerns: its programme's, else its CSP's (all of a joint
    centre's)."""
    if support_request.programme_id:
        return frozenset({support_request.programme.ministry_id})
    centre = support_request.service_centre
    if centre is None:
        return frozenset()
    return frozenset({centre.ministry_id, *centre.joint_ministries.values_list("pk", flat=True)})


def _request_facts(support_request: SupportRequest) -> _Request:
    department = support_request.ddi.department
    programme = support_request.programme
    exception = (
        programme is not None
        and ProgrammeException.objects.filter(
            programme_id=programme.pk, department_id=department.pk, ddi_attached=False
        ).exists()
    )
    return _Request(
        programme_id=programme.pk if programme else None,
        programme_code=programme.code if programme else "",
        service_centre_id=support_request.service_centre_id,
        chorus_object=support_request.chorus_object,
        region_id=department.region_id,
        department_id=department.pk,
        department_code=department.code,
        ministry_ids=request_ministry_ids(support_request),
        exception=exception,
    )


def _match(partner: Partner, scope: _Scope, facts: _Request) -> list[tuple[int, str]] | None:
    """The partner's (weight, reason) matches, or None when its scope rules it out."""
    matches: list[tuple[int, str]] = []
    if partner.service_centre_id is not None and facts.service_centre_id is not None:
        if partner.service_centre_id != facts.service_centre_id:
            return None
        matches.append((CSP_WEIGHT, _("CSP de la demande")))
    if scope.departments:
        if facts.department_id not in scope.departments:
            return None
        if facts.exception and (not scope.programmes or facts.programme_id in scope.programmes):
            reason = _("programme %(programme)s géré hors DDI dans le %(department)s") % {
                "programme": facts.programme_code,
                "department": facts.department_code,
            }
            matches.append((EXCEPTION_WEIGHT, reason))
        else:
            matches.append(
                (DEPARTMENT_WEIGHT, _("département %(code)s") % {"code": facts.department_code})
            )
    if scope.programmes and facts.programme_id is not None:
        if facts.programme_id not in scope.programmes:
            return None
        matches.append((PROGRAMME_WEIGHT, _("programme %(code)s") % {"code": facts.programme_code}))
    # A CSP's partner is matched by its CSP: its ministries only say whose centre it is.
    if scope.ministries and facts.ministry_ids and partner.service_centre_id is None:
        shared = scope.ministries & facts.ministry_ids
        if not shared:
            return None
        matches.append((MINISTRY_WEIGHT, ("ministry", min(shared))))
    if partner.chorus_objects and facts.chorus_object:
        if facts.chorus_object not in partner.chorus_objects:
            return None
        name = CHORUS_OBJECT_SHORT.get(facts.chorus_object, facts.chorus_object)
        matches.append((CHORUS_OBJECT_WEIGHT, _("objet %(name)s") % {"name": name}))
    if scope.regions and facts.region_id is not None:
        if facts.region_id not in scope.regions:
            return None
        matches.append((REGION_WEIGHT, ("region", facts.region_id)))
    return matches


def _kind_rank(partner: Partner) -> int:
    order = ["ministry", "csp", "other", "accounting", "aife", "budget"]
    return order.index(partner.kind) if partner.kind in order else len(order)


def ranked_partners(
    support_request: SupportRequest, partners: list[Partner] | None = None
) -> list[Suggestion]:
    """Every active partner with a specific match for the request, best first.

    `partners`: the active partners, when the caller has read them already."""
    if partners is None:
        partners = list(Partner.objects.filter(active=True))
    if not partners:
        return []
    facts = _request_facts(support_request)
    scopes = _scopes(partners)
    found = []
    for partner in partners:
        matches = _match(partner, scopes[partner.pk], facts)
        if matches:
            found.append((partner, matches))
    names = _names(found)
    suggestions = [
        Suggestion(
            partner=partner,
            score=sum(weight for weight, _reason in matches),
            reasons=tuple(
                names[reason] if isinstance(reason, tuple) else reason
                for _weight, reason in sorted(matches, key=lambda match: -match[0])
            ),
        )
        for partner, matches in found
    ]
    suggestions.sort(key=lambda s: (-s.score, _kind_rank(s.partner), s.partner.name))
    return suggestions


def _names(found) -> dict[tuple[str, int], str]:
    """The reasons that name a ministry or a region, read once for all partners."""
    wanted = {
        reason
        for _partner, matches in found
        for _weight, reason in matches
        if isinstance(reason, tuple)
    }
    ministry_ids = {pk for kind, pk in wanted if kind == "ministry"}
    region_ids = {pk for kind, pk in wanted if kind == "region"}
    names = {}
    if ministry_ids:
        for pk, code in Ministry.objects.filter(pk__in=ministry_ids).values_list("pk", "code"):
            names[("ministry", pk)] = _("ministère %(code)s") % {"code": code}
    if region_ids:
        for pk, name in Region.objects.filter(pk__in=region_ids).values_list("pk", "name"):
            names[("region", pk)] = _("région %(name)s") % {"name": name}
    return names


def partner_suggestions(support_request: SupportRequest, limit: int = 3) -> list[Suggestion]:
    """The `limit` partners whose scope fits the request best, with their reasons."""
    return ranked_partners(support_request)[:limit]


def escalation_ministry(partner: Partner, support_request: SupportRequest) -> Ministry | None:
    """The ministry an escalation to `partner` is filed under: the programme's ministry
    when the partner serves it (a joint CPCM on programme 206 or 215: the MAAPRAT, not
    the MEDDTL), else the partner's own (a CSP's: its ministry first)."""
    candidates: list[Ministry] = []
    centre = partner.service_centre
    if centre is not None:
        candidates += [centre.ministry, *centre.joint_ministries.order_by("code")]
    candidates += list(partner.ministries.order_by("code"))
    if support_request.programme_id:
        wanted = support_request.programme.ministry_id
        for ministry in candidates:
            if ministry.pk == wanted:
                return ministry
    return candidates[0] if candidates else None
