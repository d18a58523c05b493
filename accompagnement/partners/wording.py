"""How the portal says a partner's commitment and scope in French: "2 jours ouvrés",
"P177 · EJ, DP · Île-de-France (75, 92)", "national" when no region limits it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accompagnement.support.enums import ChorusObject
from accompagnement.support.sla import working_hours

# Short names of the Chorus objects, as the team says them.
CHORUS_OBJECT_SHORT = {
    ChorusObject.EJ: gettext_lazy("EJ"),
    ChorusObject.DA: gettext_lazy("DA"),
    ChorusObject.SF: gettext_lazy("SF"),
    ChorusObject.DP: gettext_lazy("DP"),
    ChorusObject.TIERS: gettext_lazy("tiers"),
    ChorusObject.RESTITUTION: gettext_lazy("restitutions"),
    ChorusObject.FORMULAIRE: gettext_lazy("Chorus Formulaires"),
    ChorusObject.HABILITATION: gettext_lazy("habilitations"),
    ChorusObject.OTHER: gettext_lazy("autre"),
}
# Beyond this, a list of programmes is cut short ("P113, P135… et 6 autres").
PROGRAMMES_SHOWN = 5


def commitment_text(hours: int) -> str:
    """A response time in working hours, in the team's words: 9 h is one working day."""
    day_seconds = working_hours().day_seconds
    days, rest = divmod(hours * 3600, day_seconds)
    rest_hours = round(rest / 3600)
    if not days:
        return ngettext("%(n)d heure ouvrée", "%(n)d heures ouvrées", rest_hours) % {
            "n": rest_hours
        }
    in_days = ngettext("%(n)d jour ouvré", "%(n)d jours ouvrés", days) % {"n": days}
    if not rest_hours:
        return in_days
    return _("%(days)s et %(hours)s") % {
        "days": in_days,
        "hours": ngettext("%(n)d heure", "%(n)d heures", rest_hours) % {"n": rest_hours},
    }


def chorus_objects_text(codes) -> str:
    if not codes:
        return _("tous objets")
    return ", ".join(str(CHORUS_OBJECT_SHORT.get(code, code)) for code in codes)


def programmes_text(programmes) -> str:
    """`programmes`: already fetched (a prefetched relation's `.all()`)."""
    codes = [f"P{programme.code}" for programme in programmes]
    if not codes:
        return _("tous programmes")
    if len(codes) <= PROGRAMMES_SHOWN + 1:
        return ", ".join(codes)
    hidden = len(codes) - PROGRAMMES_SHOWN
    return ngettext("%(shown)s… et %(n)d autre", "%(shown)s… et %(n)d autres", hidden) % {
        "shown": ", ".join(codes[:PROGRAMMES_SHOWN]),
        "n": hidden,
    }


def territory_text(regions, departments) -> str:
    """Regions (and departments, when the scope is narrower); "national" when empty."""
    names = [region.name for region in regions]
    codes = [department.code for department in departments]
    if not names and not codes:
        return _("national")
    if codes:
        return _("%(regions)s (%(departments)s)") % {
            "regions": ", ".join(names) or _("départements"),
            "departments": ", ".join(codes),
        }
    return ", ".join(names)


@dataclass(frozen=True)
class PartnerSummary:
    """A partner's scope and commitment, as one row of the directory says them."""

    programmes: str
    chorus_objects: str
    territory: str
    commitment: str


def summary_of(partner) -> PartnerSummary:
    """`partner`: with its programmes, regions and departments prefetched."""
    return PartnerSummary(
        programmes=programmes_text(partner.programmes.all()),
        chorus_objects=chorus_objects_text(partner.chorus_objects),
        territory=territory_text(partner.regions.all(), partner.departments.all()),
        commitment=commitment_text(partner.response_hours),
    )
