"""The reply box of a request page: the message, its kind, its attachments, the article
to link, the canned answer used, and the buttons that also set the next status."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import ButtonHolder, Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accompagnement.accounts import roles
from accompagnement.core.forms import DsfrForm
from accompagnement.core.markdown import TEXT_MAX_LENGTH, TextLengthValidator
from accompagnement.knowledge import selectors as knowledge_selectors
from accompagnement.knowledge.models import Article
from accompagnement.knowledge.services import article_link_markdown
from accompagnement.support.enums import Status

# A primary key the database can hold.
from accompagnement.support.forms.requests import (
    PK_MAX,
    RADIO_TEMPLATE,
    AttachmentsFormMixin,
    FilesToReselect,
    attachments_field,
)
from accompagnement.support.workflow import REPLY_THEN_STATUSES, reply_then_targets


class ReplyButtons:
    """Layout object: the reply box's buttons; for the team, « Envoyer » and those that
    also set the next status the workflow allows ("send and set status")."""

    template = "support/_reply_buttons.html"

    def render(self, form, context, **kwargs):
        return render_to_string(self.template, {"form": form})


# The reply box's extra buttons: the status each sets, and its label.
THEN_STATUS_LABELS = {
    Status.WAITING_DDI: _("Envoyer et attendre la DDI"),
    Status.RESOLVED: _("Envoyer et marquer résolue"),
}


class ReplyForm(AttachmentsFormMixin, DsfrForm):
    PUBLIC, INTERNAL = "public", "internal"

    kind = forms.ChoiceField(
        label=_("Nature du message"),
        choices=[
            (PUBLIC, _("Réponse à la DDI")),
            (INTERNAL, _("Note interne (visible de l’équipe seulement)")),
        ],
        initial=PUBLIC,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[TextLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Mise en forme Markdown possible : **gras**, *italique*, listes, liens."),
    )
    attachments = attachments_field()
    version = forms.IntegerField(widget=forms.HiddenInput(attrs={"id": "version-reponse"}))

    def __init__(self, *args, user, support_request, canned=None, **kwargs):
        """`canned`: (id, text) of a canned answer to start the reply from (the picker
        without JavaScript: `?reponse_type=<id>`)."""
        initial = {"version": support_request.version}
        if canned is not None:
            initial.update(canned_response=canned[0], body=canned[1], kind=self.PUBLIC)
        kwargs.setdefault("initial", initial)
        kwargs.setdefault("auto_id", "reponse-%s")  # apart from the team panel's forms
        super().__init__(*args, **kwargs)
        is_team = roles.is_team(user)
        # The buttons that also set a status: those the workflow allows now. Any of them
        # is accepted when posted: on a stale page the service reports the conflict.
        self.then_buttons = (
            [
                (status, THEN_STATUS_LABELS[status])
                for status in reply_then_targets(support_request.status)
            ]
            if is_team
            else []
        )
        if is_team:
            self.fields["then_status"] = forms.ChoiceField(
                choices=[("", ""), *((status, status.label) for status in REPLY_THEN_STATUSES)],
                required=False,
                error_messages={
                    "invalid_choice": _("Choisissez l’un des boutons d’envoi de la page.")
                },
            )
            # Which canned answer the text started from (set by the picker; counted when
            # the message is sent). Not checked: a wrong value only counts nothing.
            self.fields["canned_response"] = forms.CharField(
                required=False,
                max_length=20,
                widget=forms.HiddenInput(attrs={"id": "reponse-type-utilisee"}),
            )
            self.fields["article"] = forms.ModelChoiceField(
                label=_("Joindre un article de la base de connaissances"),
                queryset=Article.objects.published().order_by("title"),
                required=False,
                empty_label=_("Aucun"),
                help_text=_("Facultatif. Un lien vers l’article est ajouté à la fin du message."),
                error_messages={"invalid_choice": _("Choisissez un article publié de la liste.")},
            )
            # The list from one plain query of two columns; the queryset still checks
            # the choice. (A model choice field reads whole rows through a cursor.)
            self.fields["article"].choices = [
                ("", self.fields["article"].empty_label),
                *knowledge_selectors.published_article_choices(),
            ]
        else:
            del self.fields["kind"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.layout = Layout(
            *([Field("kind", template=RADIO_TEMPLATE)] if is_team else []),
            "body",
            *(["article"] if is_team else []),
            "attachments",
            FilesToReselect(),
            "version",
            *(["canned_response", ReplyButtons()] if is_team else []),
            *([] if is_team else [ButtonHolder(Submit("submit", _("Envoyer ma réponse")))]),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("then_status") and cleaned.get("kind") == self.INTERNAL:
            raise ValidationError(
                _(
                    "Une note interne ne change pas le statut de la demande : envoyez-la avec "
                    "le bouton « Envoyer », ou choisissez « Réponse à la DDI »."
                ),
                code="internal_then_status",
            )
        return cleaned

    def clean_canned_response(self) -> int | None:
        value = self.cleaned_data.get("canned_response") or ""
        return int(value) if value.isdecimal() and 0 < int(value) <= PK_MAX else None

    @property
    def is_internal(self) -> bool:
        return self.cleaned_data.get("kind") == self.INTERNAL

    @property
    def then_status(self) -> str:
        """The status the pressed button also sets; empty for « Envoyer »."""
        return self.cleaned_data.get("then_status") or ""

    @property
    def canned_response_id(self) -> int | None:
        return self.cleaned_data.get("canned_response")

    def message_body(self) -> str:
        """The typed text, followed by a link to the chosen article if any."""
        body = self.cleaned_data["body"]
        article = self.cleaned_data.get("article")
        if article is None:
            return body
        label = _("Article de la base de connaissances :")
        return f"{body}\n\n{label} {article_link_markdown(article)}"

    def keep_for_retry(self, current_version: int) -> None:
        """After a concurrent change: keep the typed text, expect the version now shown."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(current_version)
        self.data = data
        self.not_saved = True
