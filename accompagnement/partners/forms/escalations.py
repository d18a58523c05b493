"""Forms of the partners' part of a request's team panel: escalate, redirect, the
partner's ticket number and answer.

Each carries the `version` of the request the member saw (support's `RequestActionForm`):
a change made on a stale page is refused. The partner lists come ready from
`selectors/escalations.py` (`partner_choices`): the suggestions first, with their reasons.
"""

from crispy_forms.layout import Field
from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import ModelMultipleChoiceField
from accompagnement.core.markdown import TEXT_MAX_LENGTH, TextLengthValidator
from accompagnement.partners.enums import AnswerChannel
from accompagnement.partners.models import Escalation, Partner
from accompagnement.partners.selectors.escalations import PartnerChoices
from accompagnement.support.forms.team import RequestActionForm
from accompagnement.support.models import Attachment

ATTACHMENTS_TEMPLATE = "partners/fields/attachment_checkboxes.html"


class MomentInput(forms.DateTimeInput):
    """The browser's date and time picker (local time, to the minute)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AttachmentsField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Attachment) -> str:
        size = filesizeformat(obj.size)
        if obj.is_internal:
            label = _("%(name)s (%(size)s, note interne)")
            return label % {"name": obj.original_name, "size": size}
        return f"{obj.original_name} ({size})"


class _PartnerForm(RequestActionForm):
    partner = forms.ModelChoiceField(
        label=_("Partenaire"),
        queryset=Partner.objects.filter(active=True),
        error_messages={
            "required": _("Choisissez le partenaire."),
            "invalid_choice": _("Ce partenaire n’est pas dans l’annuaire (ou n’est plus actif)."),
        },
    )

    def __init__(self, *args, choices: PartnerChoices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        # The lists read once for the panel; the queryset still checks the choice.
        field.choices = [("", _("Choisir un partenaire")), *choices.options]
        field.help_text = choices.help_text
        # The DSFR form made its bound fields already, with the text as it was.
        self["partner"].help_text = field.help_text
        if choices.first is not None:
            self.initial.setdefault("partner", choices.first)


class EscalateForm(_PartnerForm):
    prefix_id = "escalate"
    attachments = AttachmentsField(
        label=_("Pièces jointes à transmettre"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Celles de la DDI et celles des notes internes : cochez ce qui aide."),
    )
    summary = forms.CharField(
        label=_("Ce que vous demandez au partenaire"),
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[TextLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_(
            "Envoyé au partenaire avec la description de la demande ; la DDI ne le voit pas."
        ),
        error_messages={"required": _("Dites au partenaire ce que vous lui demandez.")},
    )

    def __init__(self, *args, attachments, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attachments"]
        field.queryset = Attachment.objects.filter(request_id=self.support_request.pk)
        field.choices = [(a.pk, field.label_from_instance(a)) for a in attachments]
        if not attachments:
            field.widget = forms.MultipleHiddenInput()

    def layout_fields(self) -> list:
        attachments = Field("attachments", template=ATTACHMENTS_TEMPLATE)
        return ["version", "partner", attachments, "summary"]


class RedirectForm(_PartnerForm):
    prefix_id = "redirect"
    complement = forms.CharField(
        label=_("Complément pour la DDI (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[TextLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_(
            "Les coordonnées du partenaire sont données une fois à la DDI, dans un message "
            "type ; la demande est clôturée."
        ),
    )


class EscalationReferenceForm(RequestActionForm):
    prefix_id = "escalation_reference"
    partner_reference = forms.CharField(
        label=_("Numéro de ticket du partenaire"),
        max_length=Escalation._meta.get_field("partner_reference").max_length,
        error_messages={"required": _("Indiquez le numéro de ticket donné par le partenaire.")},
    )

    def __init__(self, *args, escalation: Escalation, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "partner_reference", escalation.partner_reference
        )
        super().__init__(*args, **kwargs)
        self.escalation = escalation


class EscalationAnswerForm(RequestActionForm):
    prefix_id = "escalation_answer"
    answer = forms.CharField(
        label=_("Réponse du partenaire"),
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[TextLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Enregistrée en note interne ; la demande repasse « En cours »."),
        error_messages={"required": _("Indiquez la réponse du partenaire.")},
    )
    channel = forms.ChoiceField(
        label=_("Reçue par"), choices=AnswerChannel.choices, initial=AnswerChannel.EMAIL
    )
    answered_at = forms.DateTimeField(
        label=_("Reçue le"),
        widget=MomentInput(),
        error_messages={
            "required": _("Indiquez quand la réponse est arrivée."),
            "invalid": _("Indiquez la date et l’heure de la réponse."),
        },
    )

    def __init__(self, *args, escalation: Escalation, **kwargs):
        now = timezone.localtime().replace(second=0, microsecond=0)
        kwargs.setdefault("initial", {}).setdefault("answered_at", now)
        super().__init__(*args, **kwargs)
        self.escalation = escalation
