"""The shared queue's filters: every one is a GET parameter, so a view is a URL to share
or to save (`SavedFilter`)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis
from accompagnement.core.dates import local_midnight
from accompagnement.core.forms import DateInput, DayField
from accompagnement.support.enums import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    PRIORITY_SHORT_LABELS,
    EscalationTarget,
    Priority,
    Status,
)
from accompagnement.support.forms.team import QueueFilterForm
from accompagnement.support.selectors import queue as queue_selectors
from accompagnement.support.sla import SlaState
from ddi.enums import DDIKind

STATUS_OPEN = "open"
STATUS_FINISHED = "finished"
STATUS_ALL = "all"

# The `answered` filter: a first response from the team received, or not yet.
ANSWERED_YES = "oui"
ANSWERED_NO = "non"

STATUS_CHOICES = [
    (STATUS_OPEN, _("Demandes ouvertes")),
    (STATUS_FINISHED, _("Demandes terminées")),
    (STATUS_ALL, _("Toutes les demandes")),
    (_("Un statut précis"), Status.choices),
]

SORT_CHOICES = [
    ("-created", _("Plus récentes d’abord")),
    ("created", _("Plus anciennes d’abord")),
    ("-priority", _("Priorité la plus haute d’abord")),
    ("priority", _("Priorité la plus basse d’abord")),
    ("due", _("Échéance la plus proche d’abord")),
    ("-due", _("Échéance la plus lointaine d’abord")),
    ("-activity", _("Activité la plus récente d’abord")),
    ("activity", _("Activité la plus ancienne d’abord")),
]

# Defaults applied when the parameter is absent from the URL.
DEFAULTS = {"status": STATUS_OPEN, "sort": queue_selectors.DEFAULT_SORT}
# Still understood: `overdue=on` is `sla=breached`.
LEGACY_OVERDUE = "overdue"

# Lists of reference data the dropdowns need (see `queue_selectors.reference_choices`).
REFERENCE_LISTS = ("categories", "regions", "departments", "ddis", "service_centres", "programmes")


class CheckboxFilter(django_filters.Filter):
    """A checkbox: checked applies `method`, unchecked does nothing."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)


def _all(label):
    return {"empty_label": label}


class DayFilter(django_filters.DateFilter):
    """A day in the portal's range (`core.forms.DayField`): another is reported, and the
    filter ignored."""

    field_class = DayField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateInput)
        super().__init__(*args, **kwargs)


class LocalDayFilter(DayFilter):
    """A local day (Europe/Paris) as a bound of a datetime field: `from` includes the
    day's first moment, `to` includes the whole day."""

    def __init__(self, *args, bound: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.bound = bound

    def filter(self, qs, value):
        if not value:
            return qs
        if self.bound == "from":
            return qs.filter(**{f"{self.field_name}__gte": local_midnight(value)})
        return qs.filter(**{f"{self.field_name}__lt": local_midnight(value + timedelta(days=1))})


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        help_text=_("Référence, mots du titre, de la description ou des messages"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )
    axis = django_filters.ChoiceFilter(
        label=_("Axe"), choices=Axis.choices, **_all(_("Tous les axes"))
    )
    category = django_filters.ChoiceFilter(
        label=_("Catégorie"), field_name="category_id", **_all(_("Toutes les catégories"))
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priorité"),
        choices=[(p, PRIORITY_SHORT_LABELS[p]) for p in reversed(Priority.values)],
        **_all(_("Toutes les priorités")),
    )
    ddi_kind = django_filters.ChoiceFilter(
        label=_("Type de DDI"),
        field_name="ddi__kind",
        choices=[(kind, kind) for kind in DDIKind.values],
        **_all(_("Tous les types")),
    )
    region = django_filters.ChoiceFilter(
        label=_("Région"), field_name="ddi__department__region_id", **_all(_("Toutes les régions"))
    )
    department = django_filters.ChoiceFilter(
        label=_("Département"),
        field_name="ddi__department_id",
        **_all(_("Tous les départements")),
    )
    ddi = django_filters.ChoiceFilter(
        label=_("DDI"), field_name="ddi_id", **_all(_("Toutes les DDI"))
    )
    csp = django_filters.ChoiceFilter(
        label=_("CSP"), field_name="service_centre_id", **_all(_("Tous les CSP"))
    )
    programme = django_filters.ChoiceFilter(
        label=_("Programme"), field_name="programme_id", **_all(_("Tous les programmes"))
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Attribuée à"), field_name="assignee_id", **_all(_("Tous les membres"))
    )
    structure = django_filters.ChoiceFilter(
        label=_("Structure du membre"),
        field_name="assignee__team_profile__structure_id",
        **_all(_("Toutes les structures")),
    )
    escalation_target = django_filters.ChoiceFilter(
        label=_("Escaladée vers"),
        choices=EscalationTarget.choices,
        **_all(_("Toutes les cibles")),
    )
    created_from = LocalDayFilter(label=_("Déposée du"), field_name="created_at", bound="from")
    created_to = LocalDayFilter(label=_("au"), field_name="created_at", bound="to")
    resolved_from = LocalDayFilter(label=_("Résolue du"), field_name="resolved_at", bound="from")
    resolved_to = LocalDayFilter(label=_("au"), field_name="resolved_at", bound="to")
    open_on = DayFilter(
        label=_("Ouverte le"),
        method="filter_open_on",
        help_text=_("Demandes déposées et pas encore résolues ni clôturées ce jour-là"),
    )
    answered = django_filters.ChoiceFilter(
        label=_("Première réponse"),
        choices=[(ANSWERED_YES, _("Reçue")), (ANSWERED_NO, _("Pas encore"))],
        method="filter_answered",
        empty_label=_("Avec ou sans"),
    )
    unassigned = CheckboxFilter(label=_("Non attribuées"), method="filter_unassigned")
    mine = CheckboxFilter(label=_("Les miennes"), method="filter_mine")
    # Open requests by the state of the team's clock (`sla.sla_state`).
    sla = django_filters.ChoiceFilter(
        label=_("État des délais"),
        choices=SlaState.choices,
        method="filter_sla",
        empty_label=_("Tous les états"),
    )
    reopened = CheckboxFilter(label=_("Réouvertes"), method="filter_reopened")
    # Escalations to a partner (the partners' response times link here). Lookups by name:
    # support does not import the partners package, which builds on it.
    partner = django_filters.CharFilter(
        label=_("Escaladée au partenaire"),
        method="filter_partner",
        help_text=_("Code du partenaire, par exemple equipe-chorus-maaprat"),
    )
    escalation_open = CheckboxFilter(
        label=_("Escalade en attente de réponse"), method="filter_escalation"
    )
    escalation_overdue = CheckboxFilter(
        label=_("Escalade en retard chez le partenaire"), method="filter_escalation"
    )
    escalated_from = DayFilter(label=_("Escaladée du"), method="filter_escalation")
    escalated_to = DayFilter(label=_("au"), method="filter_escalation")
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    class Meta:
        form = QueueFilterForm
        fields: list = []

    def __init__(self, data=None, *args, choices: dict, members: list, now=None, **kwargs):
        if data is not None:
            data = data.copy()
            for name, value in DEFAULTS.items():
                if not data.get(name):
                    data[name] = value
            # The "En retard" checkbox before the clock had states: saved filters and
            # the dashboards' links say `overdue=on`.
            if data.get(LEGACY_OVERDUE) and not data.get("sla"):
                data["sla"] = SlaState.BREACHED
        super().__init__(data, *args, **kwargs)
        # One moment for the whole page: the filter and each row's badge agree.
        self.now = now or timezone.now()
        self.filters["category"].extra["choices"] = choices["categories"]
        self.filters["region"].extra["choices"] = choices["regions"]
        self.filters["department"].extra["choices"] = choices["departments"]
        self.filters["ddi"].extra["choices"] = choices["ddis"]
        self.filters["csp"].extra["choices"] = choices["service_centres"]
        self.filters["programme"].extra["choices"] = choices["programmes"]
        self.filters["assignee"].extra["choices"] = [
            (user.pk, queue_selectors.member_label(user)) for user in members
        ]
        self.filters["structure"].extra["choices"] = queue_selectors.member_structures(members)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Sorting last, whatever the order of the parameters; an invalid value sorts
        # by default rather than failing.
        return queue_selectors.queue_sort(queryset, self.form.cleaned_data.get("sort") or "")

    def filter_status(self, queryset, name, value):
        if value == STATUS_ALL:
            return queryset
        if value == STATUS_FINISHED:
            return queryset.filter(status__in=FINISHED_STATUSES)
        if value == STATUS_OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_search(self, queryset, name, value):
        return queue_selectors.queue_search(queryset, value)

    def filter_answered(self, queryset, name, value):
        if value == ANSWERED_YES:
            return queryset.filter(first_response_at__isnull=False)
        if value == ANSWERED_NO:
            return queryset.filter(first_response_at__isnull=True)
        return queryset

    def filter_unassigned(self, queryset, name, value):
        return queryset.filter(assignee__isnull=True) if value else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset

    def filter_sla(self, queryset, name, value):
        by_state = {
            SlaState.ON_TIME: queryset.on_time,
            SlaState.APPROACHING: queryset.approaching,
            SlaState.BREACHED: queryset.breached,
            SlaState.PAUSED: queryset.paused,
        }
        return by_state[value](self.now) if value in by_state else queryset

    def filter_reopened(self, queryset, name, value):
        return queryset.filter(reopened_count__gt=0) if value else queryset

    def filter_partner(self, queryset, name, value):
        """Requests escalated to the partner of code `value`; with `escalation_open` or
        `escalation_overdue`, that same escalation is still waiting (late)."""
        return self._escalated(queryset, partner=value.strip()) if value.strip() else queryset

    def filter_escalation(self, queryset, name, value):
        """The conditions on an escalation (waiting, late, sent between two days) hold
        for one and the same escalation: applied once, by the first of them that is set
        (or by `filter_partner` with a partner)."""
        data = self.form.cleaned_data
        if not value or (data.get("partner") or "").strip():
            return queryset
        names = ("escalation_open", "escalation_overdue", "escalated_from", "escalated_to")
        if name != next(field for field in names if data.get(field)):
            return queryset
        return self._escalated(queryset)

    def _escalated(self, queryset, partner: str = ""):
        """One condition on one escalation (a subquery: no duplicate rows)."""
        conditions = {}
        if partner:
            conditions["escalations__partner__code"] = partner
        data = self.form.cleaned_data
        if data.get("escalation_open") or data.get("escalation_overdue"):
            conditions["escalations__answered_at__isnull"] = True
            conditions["escalations__withdrawn_at__isnull"] = True
        if data.get("escalation_overdue"):
            conditions["escalations__expected_at__lt"] = self.now
        if data.get("escalated_from"):
            conditions["escalations__sent_at__gte"] = local_midnight(data["escalated_from"])
        if data.get("escalated_to"):
            day_after = data["escalated_to"] + timedelta(days=1)
            conditions["escalations__sent_at__lt"] = local_midnight(day_after)
        escalated = queryset.model.objects.filter(**conditions).values("pk")
        return queryset.filter(pk__in=escalated)

    def filter_open_on(self, queryset, name, value):
        """Open at the end of local day `value`: filed before, finished (resolved or
        closed, whichever came first) after or not at all."""
        if not value:
            return queryset
        moment = local_midnight(value + timedelta(days=1))
        return queryset.alias(finished_at=Coalesce("resolved_at", "closed_at")).filter(
            Q(created_at__lt=moment), Q(finished_at__isnull=True) | Q(finished_at__gte=moment)
        )

    def filter_sort(self, queryset, name, value):
        return queryset  # applied in `filter_queryset`
