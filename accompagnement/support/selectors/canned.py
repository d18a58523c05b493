"""Reading canned answers: the team's list, the picker of the request page, one answer
for the team (`get_canned_response_for`), and the message an answer is made from."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from accompagnement.accounts.models import Role
from accompagnement.accounts.roles import is_team
from accompagnement.support.canned import render_placeholders
from accompagnement.support.enums import MessageKind
from accompagnement.support.models import Message, SupportRequest
from accompagnement.support.team_models import CannedResponse

# The request page's picker: the answers of the request's category, then of its axis, then
# the others (each group by use, then title).
SAME_CATEGORY, SAME_AXIS, OTHERS = 0, 1, 2
TEAM_ROLES = (Role.MEMBER, Role.PILOT)


def canned_responses_for_list(
    *, search: str = "", axis: str = "", category_id: int | None = None
) -> QuerySet[CannedResponse]:
    """The list page: most used first, with their category (one query)."""
    answers = CannedResponse.objects.select_related("category", "created_by")
    if search:
        answers = answers.filter(title__icontains=search)
    if axis:
        answers = answers.filter(axis=axis)
    if category_id is not None:
        answers = answers.filter(category_id=category_id)
    return answers.order_by("-usage_count", "title", "pk")


def canned_responses_for_request(support_request: SupportRequest) -> QuerySet[CannedResponse]:
    """Every answer, those of the request's category first, then of its axis; each row
    says its group in `relevance`."""
    return (
        CannedResponse.objects.only("pk", "title", "axis", "category_id")
        .annotate(
            relevance=Case(
                When(
                    Q(category__isnull=False, category_id=support_request.category_id),
                    then=Value(SAME_CATEGORY),
                ),
                When(axis=support_request.axis, then=Value(SAME_AXIS)),
                default=Value(OTHERS),
                output_field=IntegerField(),
            )
        )
        .order_by("relevance", "-usage_count", "title", "pk")
    )


def canned_choices_for_request(support_request: SupportRequest) -> list[tuple[str, list]]:
    """The picker's `<optgroup>`s: (label, [(pk, title)…]), empty groups left out."""
    labels = {
        SAME_CATEGORY: _("Pour cette catégorie"),
        SAME_AXIS: _("Pour cet axe"),
        OTHERS: _("Autres réponses types"),
    }
    groups: dict[int, list[tuple[int, str]]] = {}
    for answer in canned_responses_for_request(support_request):
        groups.setdefault(answer.relevance, []).append((answer.pk, answer.title))
    return [(labels[key], groups[key]) for key in sorted(groups)]


def get_canned_response_for(user, pk: int) -> CannedResponse:
    """A canned answer for the team; 404 for anyone else, or when it does not exist."""
    answer = CannedResponse.objects.filter(pk=pk).first() if is_team(user) else None
    if answer is None:
        raise Http404
    return answer


def canned_text_for(answer: CannedResponse, support_request: SupportRequest) -> str:
    """The answer's text for one request, its placeholders replaced."""
    return render_placeholders(answer.body, support_request)


def team_reply_source_for(user, message_id: int) -> Message | None:
    """A public reply of the team the user may turn into a canned answer; None otherwise
    (a note, an agent's message, an unknown number: the form then starts empty)."""
    if not is_team(user):
        return None
    return (
        Message.objects.select_related("request__requester", "request__category", "author")
        .filter(pk=message_id, kind=MessageKind.PUBLIC, author__role__in=TEAM_ROLES)
        .first()
    )
