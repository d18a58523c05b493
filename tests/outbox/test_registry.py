"""The outbox's registry of e-mail kinds (outbox/registry.py): a kind registered here, by
the test, is checked, rendered and sent like the portal's own; an unknown kind is refused
everywhere; and every kind the packages record is registered once the app has started."""

import dataclasses
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.loader import get_template

from accompagnement.outbox import registry
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import SendOutcome, notification_send, notifications_for_sending
from accompagnement.outbox.services import notification_record
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = "test_greeting"
UNKNOWN_KIND = "nobody_registered_this"
PACKAGE = Path(django_settings.BASE_DIR) / "accompagnement"

preloaded: list[list[int]] = []


def _refusal_reason(notification):
    return "Pas pour ce destinataire." if notification.context.get("refuse") else ""


def _context(notification):
    return {"name": notification.context["name"], "url": "https://example.org/essai"}


def _attachments(notification):
    return [("note.txt", f"Pour {notification.context['name']}", "text/plain")]


def _preload(notifications):
    preloaded.append(sorted(n.pk for n in notifications))


GREETING = registry.EmailKind(
    name=KIND,
    template="tests_outbox/emails/greeting",
    subject_prefix="[Essai]",
    context=_context,
    refusal_reason=_refusal_reason,
    attachments=_attachments,
    preload=_preload,
)

TEMPLATES = {
    "greeting_subject.txt": "Bonjour {{ name }}\n",
    "greeting.txt": (
        '{% extends "outbox/emails/base.txt" %}'
        "{% block content %}Texte pour {{ name }}.{% endblock %}"
        "{% block link %}Voir :\n{{ url }}{% endblock %}"
    ),
    "greeting.html": (
        '{% extends "outbox/emails/base.html" %}'
        "{% block content %}<p>HTML pour {{ name }}.</p>{% endblock %}"
        "{% block link %}Voir{% endblock %}"
    ),
}


@pytest.fixture
def greeting(settings, tmp_path):
    """The test's own kind, registered with its templates for the test only."""
    folder = tmp_path / "tests_outbox" / "emails"
    folder.mkdir(parents=True)
    for name, text in TEMPLATES.items():
        (folder / name).write_text(text, encoding="utf-8")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    preloaded.clear()
    registry.register(GREETING)
    yield GREETING
    registry.unregister(KIND)


def record(recipient, **context):
    [row] = notification_record(kind=KIND, recipients=[recipient], key="greeting", context=context)
    return Notification.objects.get(key=row.key)


def test_a_registered_kind_is_listed(greeting):
    assert KIND in registry.kinds()
    assert registry.get(KIND) is greeting
    assert registry.kinds() == sorted(registry.kinds())


def test_a_registered_kind_is_rendered_and_sent(greeting, agent):
    notification = record(agent, name="Camille")

    assert notification_send(notification_id=notification.pk) == SendOutcome.SENT

    [email] = mail.outbox
    assert email.to == [agent.email]
    assert email.subject == "[Essai] Bonjour Camille"
    assert "Texte pour Camille." in email.body
    assert "https://example.org/essai" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "<p>HTML pour Camille.</p>" in html
    assert email.attachments == [("note.txt", "Pour Camille", "text/plain")]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT


def test_the_kind_refuses_what_it_must_not_send(greeting, agent):
    notification = record(agent, name="Camille", refuse=True)

    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.last_error == "Pas pour ce destinataire."
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"is_active": False}, "Le destinataire est désactivé."),
        ({"email": ""}, "Le destinataire n'a pas d'adresse électronique."),
    ],
)
def test_the_outbox_own_rules_apply_to_every_kind(greeting, change, error):
    person = UserFactory()
    notification = Notification.objects.create(
        key="greeting", kind=KIND, recipient=person, context={"name": "Camille"}
    )
    type(person).objects.filter(pk=person.pk).update(**change)

    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED

    notification.refresh_from_db()
    assert notification.last_error == error
    assert mail.outbox == []


def test_an_unknown_kind_is_refused_without_sending(agent):
    notification = Notification.objects.create(key="unknown", kind=UNKNOWN_KIND, recipient=agent)

    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.last_error == f"Nature de notification inconnue : « {UNKNOWN_KIND} »."
    assert mail.outbox == []


def test_registering_a_kind_twice_is_an_error_unless_it_is_the_same(greeting):
    assert registry.register(GREETING) is GREETING

    other = dataclasses.replace(GREETING, subject_prefix="[Autre]")
    with pytest.raises(ImproperlyConfigured, match=KIND):
        registry.register(other)
    assert registry.get(KIND) is GREETING


def test_recording_an_unregistered_kind_is_an_error(agent):
    with pytest.raises(ValueError, match=f"Nature de notification inconnue : « {UNKNOWN_KIND} »"):
        notification_record(kind=UNKNOWN_KIND, recipients=[agent], key="unknown")
    assert not Notification.objects.exists()


def test_the_model_validates_the_kind_against_the_registry(greeting, agent):
    Notification(key="known", kind=KIND, recipient=agent).full_clean()

    with pytest.raises(ValidationError) as error:
        Notification(key="unknown", kind=UNKNOWN_KIND, recipient=agent).full_clean()
    assert error.value.message_dict == {
        "kind": [f"Nature de notification inconnue : « {UNKNOWN_KIND} »."]
    }


def test_a_batch_calls_the_preloader_once_for_its_kind(
    greeting, django_assert_num_queries, agent, member
):
    ids = [record(person, name="Camille").pk for person in (agent, member, UserFactory())]

    with django_assert_num_queries(1):  # the rows; this preloader reads nothing
        notifications = notifications_for_sending(ids)

    assert sorted(notifications) == sorted(ids)
    assert preloaded == [sorted(ids)]


# ---------------------------------------------------------------------------- the portal's kinds

RECORDED_KIND = re.compile(r"""\bkind\s*=\s*"([a-z_]+)"|\b_record\(\s*"([a-z_]+)\"""")


def kinds_recorded_in_the_code() -> set[str]:
    """The literal kinds the packages record (`kind="…"`, interventions' `_record("…")`),
    read in the modules that use the outbox."""
    kinds = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "accompagnement.outbox" not in source:
            continue
        kinds.update(a or b for a, b in RECORDED_KIND.findall(source))
    return kinds


def test_every_kind_recorded_anywhere_is_registered_at_start():
    recorded = kinds_recorded_in_the_code()
    # The scan finds the kinds of each package (else it would prove nothing).
    assert {
        "request_created",
        "agent_reply",
        "auto_closed",
        "milestone_reminder",
        "weekly_digest",
        "intervention_changed",
    } <= recorded

    assert recorded - set(registry.kinds()) == set()


def test_every_registered_kind_has_its_three_templates():
    for name in registry.kinds():
        template = registry.get(name).template
        for suffix in ("_subject.txt", ".txt", ".html"):
            get_template(f"{template}{suffix}")


def test_the_outbox_imports_no_domain_package():
    domains = "support|campaigns|interventions|steering|knowledge|problems|study|privacy|web|demo"
    imports = re.compile(rf"^\s*(?:from|import) accompagnement\.({domains})\b", re.MULTILINE)
    for path in (PACKAGE / "outbox").rglob("*.py"):
        assert imports.findall(path.read_text(encoding="utf-8")) == [], path
