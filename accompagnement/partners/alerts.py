"""Who in the team is told of a partner's answer to an escalation (storage in `alerts/`).

The request's assignee, else the member who escalated it; nobody is told of what they did
themself. The assignee already has the answer by e-mail (the internal note's e-mail,
`support/services/replies.py`): their alert stays in the portal (`email=False`), as
support's own rules do for a message (`support/alerts.py`).
"""

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.services import alert_record
from accompagnement.partners.models import Escalation

TITLE_CHARS = 120


def alert_escalation_answered(escalation: Escalation, actor: User | None) -> None:
    """The partner answered: the request is back with the team."""
    request = escalation.request
    holder = request.assignee if request.assignee_id else escalation.created_by
    if holder is None or not holder.is_active or (actor is not None and holder.pk == actor.pk):
        return
    text = _(
        "%(partner)s a répondu sur %(reference)s « %(title)s » : la demande revient en cours."
    ) % {
        "partner": escalation.partner.name,
        "reference": request.reference,
        "title": Truncator(request.title).chars(TITLE_CHARS),
    }
    alert_record(
        kind=AlertKind.ESCALATION_ANSWERED,
        recipients=[holder],
        text=text,
        key=f"escalation_answered:{escalation.pk}",
        request=request,
        actor=actor,
        # The assignee has the answer by e-mail already (the internal note's).
        email=holder.pk != request.assignee_id,
    )
