"""Personal data: anonymising closed requests once the retention delay has passed.

What makes the figures stays (DDI, dates, category, axis, programme, service centre,
status, priority, durations, the team's assignee); what names or describes a person goes:
the requester and the DDI's authors become one placeholder account per DDI, the
followers are removed, every free text (title, description, messages, event comments,
contact given to the DDI, the team's alerts) is replaced, the files are deleted from storage.
"""

import logging

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accompagnement.accounts.models import Role, User
from accompagnement.alerts.models import Alert
from accompagnement.outbox.models import Notification
from accompagnement.privacy.selectors import ANONYMOUS_EMAIL_DOMAIN, requests_due_for_anonymisation
from accompagnement.support.models import Attachment, Event, Message, SupportRequest
from accompagnement.support.services.requests import support_request_update_search

logger = logging.getLogger(__name__)


def anonymised_text() -> str:
    return _("[Contenu anonymisé à l’issue de la durée de conservation]")


def anonymous_agent_for(ddi) -> User:
    """The inactive account that stands for "an agent of this DDI"."""
    user, _created = User.objects.get_or_create(
        email=f"agent-ddi-{ddi.pk}@{ANONYMOUS_EMAIL_DOMAIN}",
        defaults={
            "first_name": _("Agent"),
            "last_name": _("anonymisé"),
            "role": Role.AGENT,
            "ddi": ddi,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


@transaction.atomic
def support_request_anonymise(*, support_request_id: int) -> bool:
    """Anonymise one request; False when it was already done (or is gone)."""
    support_request = (
        requests_due_for_anonymisation()
        .select_for_update(of=("self",))
        .select_related("ddi")
        .filter(pk=support_request_id)
        .first()
    )
    if support_request is None:
        return False
    placeholder = anonymous_agent_for(support_request.ddi)
    text = anonymised_text()

    files = list(Attachment.objects.filter(request=support_request))
    Attachment.objects.filter(request=support_request).delete()
    storage_names = [(f.file.storage, f.file.name) for f in files if f.file.name]

    def delete_files():
        for storage, name in storage_names:
            storage.delete(name)

    transaction.on_commit(delete_files)

    messages = Message.objects.filter(request=support_request)
    messages.update(body=text)
    messages.filter(author__role=Role.AGENT).update(author=placeholder)
    events = Event.objects.filter(request=support_request)
    events.exclude(comment="").update(comment=text)
    events.filter(actor__role=Role.AGENT).update(actor=placeholder)
    Notification.objects.filter(request=support_request).update(context={}, last_error="")
    # The team's alerts name the request by its title.
    alerts = Alert.objects.filter(request=support_request)
    alerts.update(text=text)
    alerts.filter(actor__role=Role.AGENT).update(actor=placeholder)
    support_request.followers.clear()
    SupportRequest.objects.filter(pk=support_request.pk).update(
        requester=placeholder,
        title=text[:200],
        body=text,
        redirect_contact=text if support_request.redirect_contact else "",
        anonymised_at=timezone.now(),
    )
    support_request_update_search(support_request)
    logger.info("Request %s anonymised", support_request.reference)
    return True


def support_requests_anonymise_due(*, batch_size: int) -> int:
    """Anonymise every request past the retention delay, one transaction per request,
    read in batches; a second run finds nothing left to do."""
    done = 0
    while True:
        batch = list(requests_due_for_anonymisation().values_list("pk", flat=True)[:batch_size])
        if not batch:
            return done
        changed = sum(support_request_anonymise(support_request_id=pk) for pk in batch)
        done += changed
        if not changed:  # nothing could be done on this batch: do not spin
            return done
