"""Forms of the problem screens: grouping from the queue or a request, attaching,
answering once for every DDI."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import DsfrForm
from accompagnement.core.markdown import TEXT_MAX_LENGTH, TextLengthValidator
from accompagnement.problems.services import ANSWER_MAX_LENGTH, new_submission_key
from accompagnement.support.forms.team import SelectionField


def problem_title_field() -> forms.CharField:
    """Written by the team: every linked DDI reads it (never a request's title)."""
    return forms.CharField(
        label=_("Titre du problème"),
        max_length=200,
        help_text=_(
            "Vos mots, pas ceux d’une demande : chaque DDI concernée le lit dans le message "
            "de résolution."
        ),
        error_messages={"required": _("Donnez un titre au problème.")},
    )


class ProblemFromQueueForm(DsfrForm):
    """The queue's ticked rows grouped into a new problem."""

    selection = SelectionField()
    title = problem_title_field()
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_problem_%s")
        super().__init__(*args, **kwargs)


class ProblemFromRequestForm(DsfrForm):
    title = problem_title_field()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_problem_new_%s")
        super().__init__(*args, **kwargs)


class AttachToProblemForm(DsfrForm):
    """From a request's page: the open problem it belongs to."""

    problem = forms.TypedChoiceField(label=_("Problème ouvert"), coerce=int)

    def __init__(self, *args, problems, **kwargs):
        kwargs.setdefault("auto_id", "id_problem_attach_%s")
        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = [("", _("Choisir un problème")), *problems]


class ReferencesField(forms.Field):
    """Request references: ticked candidates (several `reference` values) or typed."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        references = []
        for item in value or []:
            for part in str(item).replace(",", " ").split():
                reference = part.strip().upper()
                if reference and reference not in references:
                    references.append(reference)
        return references

    def validate(self, value):
        if not value:
            raise ValidationError(_("Cochez ou indiquez au moins une demande."), code="required")


class ProblemAttachForm(DsfrForm):
    reference = ReferencesField(label=_("Demandes à rattacher"))


class ProblemAnswerForm(DsfrForm):
    body = forms.CharField(
        label=_("Réponse à toutes les DDI concernées"),
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[TextLengthValidator(ANSWER_MAX_LENGTH)],
        help_text=_(
            "Markdown. Envoyée comme réponse de l’équipe sur chaque demande rattachée (un "
            "courriel par DDI), et aux demandes rattachées plus tard."
        ),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_answer_%s")
        kwargs.setdefault("initial", {}).setdefault("submission_key", new_submission_key())
        super().__init__(*args, **kwargs)


class ProblemEditForm(DsfrForm):
    title = forms.CharField(label=_("Titre du problème"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[TextLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_(
            "Markdown. Vos mots, pas ceux d’une demande : elle ouvre l’article tiré du "
            "problème. Les réponses déjà envoyées ne changent pas."
        ),
    )

    def __init__(self, *args, problem=None, **kwargs):
        kwargs.setdefault("auto_id", "id_edit_%s")
        if problem is not None:
            kwargs.setdefault(
                "initial", {"title": problem.title, "description": problem.description}
            )
        super().__init__(*args, **kwargs)
