import pytest
from django.core.management import call_command

from accompagnement.demo.canned import DEMO_CANNED_RESPONSES, seed_demo_canned_responses
from accompagnement.support.team_models import CannedResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_data():
    call_command("load_reference_data", "--no-progress", verbosity=0)


def test_seed_demo_writes_the_canned_answers_once(reference_data, capsys):
    call_command("seed_demo", "--no-progress")
    out = capsys.readouterr().out
    created = len(DEMO_CANNED_RESPONSES)
    assert f"Réponses types de démonstration : {created} créées, 0 déjà présentes" in out
    ej = CannedResponse.objects.get(title="Demande de précisions : numéro d'EJ")
    assert ej.category.code == "chaine-depense"
    assert ej.usage_count > 0
    assert ej.created_by.email == "membre.sgg@example.org"
    assert CannedResponse.objects.filter(category__isnull=False).count() == created - 1

    # The team edits one: a later run leaves it as it is and adds nothing.
    CannedResponse.objects.filter(pk=ej.pk).update(body="Texte revu par l'équipe")
    assert seed_demo_canned_responses() == {"created": 0, "existing": created}
    ej.refresh_from_db()
    assert ej.body == "Texte revu par l'équipe"
    assert CannedResponse.objects.count() == created
