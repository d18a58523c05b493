"""Canned answers: the team's shared reply templates (`/equipe/reponses-types/`).

Writing one checks its title (unique whatever the case), its text (length, placeholders:
`support/canned.py`) and its classification (a category of the chosen axis). Using one
(`canned_response_record_use`) is counted inside the reply's transaction
(`services/requests.py`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.axes.models import Axis, Category
from accompagnement.core.markdown import TEXT_MAX_LENGTH, check_text_length
from accompagnement.support.canned import placeholder_list, unknown_placeholders
from accompagnement.support.team_models import CannedResponse

TITLE_MAX_LENGTH = CannedResponse._meta.get_field("title").max_length


def _cleaned(
    *, title: str, body: str, axis: str, category: Category | None, exclude_pk: int | None
) -> dict:
    """The fields to save, or every problem at once, by field, in French."""
    title, body = title.strip(), body.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors.setdefault("title", []).append(_("Donnez un titre à la réponse type."))
    elif len(title) > TITLE_MAX_LENGTH:
        errors.setdefault("title", []).append(
            _("Le titre ne doit pas dépasser %(max)d caractères.") % {"max": TITLE_MAX_LENGTH}
        )
    else:
        same = CannedResponse.objects.annotate(lower_title=Lower("title")).filter(
            lower_title=title.lower()
        )
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        existing = same.values_list("title", flat=True).first()
        if existing is not None:
            errors.setdefault("title", []).append(
                _("Une réponse type porte déjà ce titre : « %(title)s ».") % {"title": existing}
            )
    if not body:
        errors.setdefault("body", []).append(_("Le texte de la réponse type est vide."))
    else:
        try:
            check_text_length(body, limit=TEXT_MAX_LENGTH, field="body")
        except ValidationError as error:
            errors.setdefault("body", []).extend(error.message_dict["body"])
        unknown = unknown_placeholders(body)
        if unknown:
            errors.setdefault("body", []).append(
                _(
                    "Champ inconnu : %(unknown)s. Les champs possibles sont : %(allowed)s "
                    "(écrits entre accolades, sans espace)."
                )
                % {
                    "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                    "allowed": placeholder_list(),
                }
            )
    if axis and axis not in Axis.values:
        errors.setdefault("axis", []).append(_("Choisissez un axe de la liste."))
    elif category is not None:
        if not axis:
            axis = category.axis  # a category says its axis
        elif category.axis != axis:
            errors.setdefault("category", []).append(
                _("La catégorie « %(category)s » ne relève pas de l’axe « %(axis)s ».")
                % {"category": category.name, "axis": Axis(axis).label}
            )
    if errors:
        raise ValidationError(errors)
    return {"title": title, "body": body, "axis": axis, "category": category}


def _save(canned_response: CannedResponse, *, update_fields: list[str] | None = None) -> None:
    """Save; a twin title saved at the same moment (the unique constraint) is refused
    like any other."""
    try:
        with transaction.atomic():
            canned_response.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(
            {
                "title": _("Une réponse type porte déjà ce titre : « %(title)s ».")
                % {"title": canned_response.title}
            }
        ) from exc


def _require_team(user: User) -> None:
    if not roles.is_team(user):
        raise PermissionDenied


@transaction.atomic
def canned_response_create(
    *, author: User, title: str, body: str, axis: str = "", category: Category | None = None
) -> CannedResponse:
    _require_team(author)
    fields = _cleaned(title=title, body=body, axis=axis, category=category, exclude_pk=None)
    now = timezone.now()
    canned_response = CannedResponse(created_by=author, created_at=now, updated_at=now, **fields)
    _save(canned_response)
    return canned_response


@transaction.atomic
def canned_response_update(
    *,
    canned_response: CannedResponse,
    user: User,
    title: str,
    body: str,
    axis: str = "",
    category: Category | None = None,
) -> CannedResponse:
    _require_team(user)
    fields = _cleaned(
        title=title, body=body, axis=axis, category=category, exclude_pk=canned_response.pk
    )
    for name, value in fields.items():
        setattr(canned_response, name, value)
    canned_response.updated_at = timezone.now()
    _save(canned_response, update_fields=[*fields, "updated_at"])
    return canned_response


@transaction.atomic
def canned_response_delete(*, canned_response: CannedResponse, user: User) -> None:
    _require_team(user)
    canned_response.delete()


def canned_response_record_use(*, canned_response_id: int) -> None:
    """One more use of the answer, counted in the database (two replies at once count
    two); nothing if it was deleted meanwhile."""
    CannedResponse.objects.filter(pk=canned_response_id).update(usage_count=F("usage_count") + 1)
