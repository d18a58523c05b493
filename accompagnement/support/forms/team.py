"""Forms of the team's screens: the queue (filters, saved filters, bulk actions) and the
action panel of a request.

Every form that changes a request carries the `version` the member saw: the services
refuse a change made on a stale page (optimistic locking).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis, Category
from accompagnement.core.forms import DsfrForm
from accompagnement.core.forms import grid_col as _col
from accompagnement.core.forms import grid_row as _row
from accompagnement.support.enums import PRIORITY_SHORT_LABELS, Priority, Status
from accompagnement.support.selectors import queue as queue_selectors
from accompagnement.support.selectors import triage as triage_selectors
from accompagnement.support.services.triage import TRIAGE_FIELDS
from ddi.models import Programme, ServiceCentre

# Our own DSFR markup for checkboxes and radios, rendered by crispy with the project's
# DSFR field templates (templates/core/fields/).
CHECKBOX_TEMPLATE = "core/fields/checkbox_spaced.html"
RADIO_TEMPLATE = "core/fields/radio_compact.html"

ASSIGN_TO_ME = "me"
ASSIGN_TO_NOBODY = "none"

# Statuses a bulk action may set: escalating and redirecting need a target or a contact,
# given one request at a time from its page.
BULK_STATUSES = (Status.IN_PROGRESS, Status.WAITING_DDI, Status.RESOLVED, Status.CLOSED)
BULK_MAX_REQUESTS = 200


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the templates write {% csrf_token %} in each <form>
    helper.layout = Layout(*layout)
    return helper


def _member_choices(members) -> list[tuple]:
    suggested = [m for m in members if getattr(m, "is_suggested", False)]
    everyone = [(m.pk, queue_selectors.member_label(m)) for m in members]
    if not suggested:
        return everyone
    return [
        (_("Référents suggérés"), [(m.pk, queue_selectors.member_label(m)) for m in suggested]),
        (_("Toute l’équipe"), everyone),
    ]


def queue_query_string(data) -> str:
    """The queue's query string without the page number nor empty parameters: what a
    saved filter stores, and what pagination links keep."""
    query = QueryDict(mutable=True)
    for name, values in data.lists():
        kept = [value for value in values if value != ""]
        if name != "page" and kept:
            query.setlist(name, kept)
    return query.urlencode()


# ---------------------------------------------------------------------------- the queue


class QueueFilterForm(DsfrForm):
    """Base of the form django-filter builds for `filters.QueueFilter`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checkbox = "fr-col-12 fr-col-sm-4 fr-col-lg-2"
        self.helper = _helper(
            _row(
                _col("q", "fr-col-12 fr-col-md-6"),
                _col("status", "fr-col-12 fr-col-sm-6 fr-col-md-3"),
                _col("sort", "fr-col-12 fr-col-sm-6 fr-col-md-3"),
            ),
            _row(_col("axis"), _col("category"), _col("priority"), _col("assignee")),
            _row(_col("ddi_kind"), _col("region"), _col("department"), _col("ddi")),
            _row(
                _col("csp"),
                _col("programme"),
                Div(Field("unassigned", template=CHECKBOX_TEMPLATE), css_class=checkbox),
                Div(Field("mine", template=CHECKBOX_TEMPLATE), css_class=checkbox),
                Div(Field("reopened", template=CHECKBOX_TEMPLATE), css_class=checkbox),
            ),
            _row(
                _col("created_from", "fr-col-6 fr-col-md-3 fr-col-lg-2"),
                _col("created_to", "fr-col-6 fr-col-md-3 fr-col-lg-2"),
                _col("resolved_from", "fr-col-6 fr-col-md-3 fr-col-lg-2"),
                _col("resolved_to", "fr-col-6 fr-col-md-3 fr-col-lg-2"),
                _col("open_on", "fr-col-12 fr-col-md-6 fr-col-lg-4"),
            ),
            _row(_col("sla"), _col("structure"), _col("escalation_target"), _col("answered")),
            _row(
                _col("partner", "fr-col-12 fr-col-md-6"),
                Div(Field("escalation_open", template=CHECKBOX_TEMPLATE), css_class=checkbox),
                Div(Field("escalation_overdue", template=CHECKBOX_TEMPLATE), css_class=checkbox),
            ),
            _row(
                _col("escalated_from", "fr-col-6 fr-col-md-3 fr-col-lg-2"),
                _col("escalated_to", "fr-col-6 fr-col-md-3 fr-col-lg-2"),
            ),
        )


class SavedFilterForm(DsfrForm):
    name = forms.CharField(label=_("Nom du filtre"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def __init__(self, *args, owner, **kwargs):
        kwargs.setdefault("auto_id", "id_saved_filter_%s")
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if queue_selectors.saved_filters_of(self.owner).filter(name__iexact=name).exists():
            raise ValidationError(
                _("Vous avez déjà un filtre nommé « %(name)s »."), params={"name": name}
            )
        return name

    def clean_query(self):
        return queue_query_string(QueryDict(self.cleaned_data["query"]))


class SelectionField(forms.Field):
    """The rows ticked in the queue: `<id>:<version>` (the version the member saw)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        selection = {}
        for item in value or []:
            try:
                pk, version = (int(part) for part in str(item).split(":"))
            except ValueError as exc:
                raise ValidationError(_("Sélection invalide."), code="invalid") from exc
            selection[pk] = version
        return selection

    def validate(self, value):
        if not value:
            raise ValidationError(_("Cochez au moins une demande."), code="required")
        if len(value) > BULK_MAX_REQUESTS:
            raise ValidationError(
                _("Au plus %(max)s demandes à la fois."), params={"max": BULK_MAX_REQUESTS}
            )


class BulkActionForm(DsfrForm):
    ASSIGN, STATUS = "assign", "status"
    # Corrections, through `services/triage.py` for each request.
    PRIORITY, CATEGORY = "priority", "category"

    selection = SelectionField()
    action = forms.ChoiceField(
        choices=[
            (ASSIGN, _("Attribuer")),
            (STATUS, _("Changer le statut")),
            (PRIORITY, _("Changer la priorité")),
            (CATEGORY, _("Changer la catégorie")),
        ],
        widget=forms.HiddenInput,
    )
    assignee = forms.ChoiceField(label=_("Attribuer à"), required=False)
    status = forms.ChoiceField(
        label=_("Nouveau statut"),
        required=False,
        choices=[("", _("Choisir un statut"))] + [(s.value, s.label) for s in BULK_STATUSES],
    )
    priority = forms.ChoiceField(label=_("Nouvelle priorité"), required=False)
    category = forms.ModelChoiceField(
        label=_("Nouvelle catégorie"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        help_text=_("Son axe devient celui des demandes."),
        error_messages={"invalid_choice": _("Choisissez une catégorie de la liste.")},
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, members, **kwargs):
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["assignee"].choices = [
            ("", _("Choisir un membre")),
            (ASSIGN_TO_ME, _("Moi")),
            (ASSIGN_TO_NOBODY, _("Personne (retirer l’attribution)")),
            *_member_choices(members),
        ]
        self.fields["priority"].choices = [("", _("Choisir une priorité")), *_priority_choices()]
        # The cached list; the queryset still checks the choice.
        self.fields["category"].choices = [
            ("", _("Choisir une catégorie")),
            *triage_selectors.active_category_choices(),
        ]

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choisissez à qui attribuer les demandes."))
        if data.get("action") == self.STATUS and not data.get("status"):
            self.add_error("status", _("Choisissez le nouveau statut."))
        if data.get("action") == self.PRIORITY and not data.get("priority"):
            self.add_error("priority", _("Choisissez la nouvelle priorité."))
        if data.get("action") == self.CATEGORY and not data.get("category"):
            self.add_error("category", _("Choisissez la nouvelle catégorie."))
        return data

    def triage_changes(self) -> dict:
        """The correction a priority or category action makes (`support_request_triage`)."""
        if self.cleaned_data["action"] == self.PRIORITY:
            return {"priority": self.cleaned_data["priority"]}
        category = self.cleaned_data["category"]
        return {"axis": category.axis, "category": category}

    def assignee_user(self, me):
        value = self.cleaned_data["assignee"]
        if value == ASSIGN_TO_ME:
            return me
        if value == ASSIGN_TO_NOBODY:
            return None
        return self.members[value]


# ---------------------------------------------------------------------------- a request


class RequestActionForm(DsfrForm):
    """Common part: the version seen, and ids unique on the page (several forms)."""

    prefix_id = "action"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, support_request, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_id}_%s")
        kwargs.setdefault("initial", {}).setdefault("version", support_request.version)
        super().__init__(*args, **kwargs)
        self.support_request = support_request
        self.user = user
        self.helper = _helper(*self.layout_fields())

    def layout_fields(self) -> list:
        return list(self.fields)


class AssignForm(RequestActionForm):
    prefix_id = "assign"
    assignee = forms.ChoiceField(label=_("Attribuer à"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["assignee"].choices = [
            (ASSIGN_TO_ME, _("Moi")),
            (ASSIGN_TO_NOBODY, _("Personne (retirer l’attribution)")),
            *_member_choices(members),
        ]
        current = self.support_request.assignee_id
        self.fields["assignee"].initial = str(current) if current else ASSIGN_TO_ME

    def assignee_user(self):
        value = self.cleaned_data["assignee"]
        if value == ASSIGN_TO_ME:
            return self.user
        if value == ASSIGN_TO_NOBODY:
            return None
        return self.members[value]


class AcceptProposalForm(RequestActionForm):
    """Confirm the member the routing proposed (the version seen is all it carries)."""

    prefix_id = "accept_proposal"


class TransitionForm(RequestActionForm):
    prefix_id = "transition"
    to_status = forms.ChoiceField(label=_("Nouveau statut"))
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Visible par la DDI dans l’historique de la demande."),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s.value, s.label) for s in targets]


class ReferenceField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("Format attendu : ACC-2011-00042"))
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class _OtherRequestForm(RequestActionForm):
    field_name = "other"

    def clean(self):
        data = super().clean()
        reference = data.get(self.field_name)
        if not reference:
            return data
        other = queue_selectors.request_by_reference(self.user, reference)
        if other is None:
            self.add_error(
                self.field_name,
                _("Aucune demande ne porte la référence « %(reference)s ».")
                % {"reference": reference},
            )
        elif other.pk == self.support_request.pk:
            self.add_error(self.field_name, _("Indiquez une autre demande que celle-ci."))
        else:
            data["request"] = other
        return data


class DuplicateForm(_OtherRequestForm):
    prefix_id = "duplicate"
    field_name = "original"
    original = ReferenceField(label=_("Doublon de la demande"))


class LinkForm(_OtherRequestForm):
    prefix_id = "link"
    field_name = "other"
    other = ReferenceField(label=_("Demande liée"))


# ---------------------------------------------------------------------------- corrections, merge


def _priority_choices() -> list[tuple[str, str]]:
    return [(priority.value, PRIORITY_SHORT_LABELS[priority]) for priority in Priority]


class TriageForm(RequestActionForm):
    """Correct the classification (`services/triage.py`); every field comes with the
    request's current value, only the changed ones are written."""

    prefix_id = "triage"
    priority = forms.ChoiceField(label=_("Priorité"))
    axis = forms.ChoiceField(label=_("Axe"), choices=Axis.choices)
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.none(),
        help_text=_("Une catégorie de l’axe choisi."),
        error_messages={"invalid_choice": _("Choisissez une catégorie de la liste.")},
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("Aucun"),
        error_messages={
            "invalid_choice": _("Ce programme n’est pas suivi par la DDI de la demande.")
        },
    )
    service_centre = forms.ModelChoiceField(
        label=_("CSP"),
        queryset=ServiceCentre.objects.none(),
        required=False,
        empty_label=_("Aucun"),
        error_messages={"invalid_choice": _("Ce CSP ne sert pas la DDI de la demande.")},
    )

    def __init__(self, *args, choices, **kwargs):
        support_request = kwargs["support_request"]
        initial = kwargs.setdefault("initial", {})
        initial.update(
            priority=support_request.priority,
            axis=support_request.axis,
            category=support_request.category_id,
            programme=support_request.programme_id,
            service_centre=support_request.service_centre_id,
        )
        super().__init__(*args, **kwargs)
        # The lists from the cache and one query; the querysets still check the choice.
        ddi_id = support_request.ddi_id
        self.fields["priority"].choices = _priority_choices()
        self.fields["category"].queryset = Category.objects.filter(
            Q(is_active=True) | Q(pk=support_request.category_id)
        )
        self.fields["category"].choices = [("", _("Choisir une catégorie")), *choices["categories"]]
        self.fields["programme"].queryset = Programme.objects.filter(
            Q(attachments__ddi_id=ddi_id) | Q(pk=support_request.programme_id)
        ).distinct()
        self.fields["programme"].choices = [("", _("Aucun")), *choices["programmes"]]
        self.fields["service_centre"].queryset = ServiceCentre.objects.filter(
            Q(attachments__ddi_id=ddi_id) | Q(pk=support_request.service_centre_id)
        ).distinct()
        self.fields["service_centre"].choices = [("", _("Aucun")), *choices["service_centres"]]

    def clean(self):
        data = super().clean()
        axis, category = data.get("axis"), data.get("category")
        if axis and category and category.axis != axis:
            self.add_error(
                "category",
                _(
                    "La catégorie « %(category)s » ne relève pas de l’axe « %(axis)s » : "
                    "choisissez une catégorie de cet axe."
                )
                % {"category": category.name, "axis": Axis(axis).label},
            )
        return data

    def changes(self) -> dict:
        """The keyword arguments of `support_request_triage`, but the request, the user
        and the version."""
        return {name: self.cleaned_data[name] for name in TRIAGE_FIELDS}


class MergeForm(_OtherRequestForm):
    prefix_id = "merge"
    field_name = "target"
    target = ReferenceField(
        label=_("Fusionner dans la demande"),
        help_text=_(
            "La demande qui reste, de la même DDI (format ACC-2011-00042) : celle-ci y "
            "est réunie, puis clôturée."
        ),
    )
