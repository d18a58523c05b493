import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_statement_from_the_footer_of_the_login_page(client):
    login_page = client.get(reverse("login")).content.decode()
    assert (
        f'<a class="fr-footer__bottom-link" href="{reverse("accessibility")}">'
        "Accessibilité : non conforme</a>"
    ) in login_page

    response = client.get(reverse("accessibility"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Déclaration d’accessibilité</h1>" in html
    assert "est non conforme avec le référentiel général" in html
    assert "aucun audit de conformité n’a encore été réalisé" in html


def test_the_statement_says_what_was_tested_and_how_to_seek_redress(client, agent):
    client.force_login(agent)
    html = client.get(reverse("accessibility")).content.decode()

    assert "un audit automatique axe-core" in html
    assert "un parcours au clavier seul" in html
    assert "aria-describedby" in html
    assert "Défenseur des droits" in html
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in html
    # A signed-in person keeps the portal's menu on this page.
    assert 'id="navigation-principale"' in html


def test_a_form_sent_back_with_errors_opens_on_a_summary_linked_to_each_field(client, agent):
    client.force_login(agent)
    html = client.post(reverse("support:create"), {"title": "Restitution vide"}).content.decode()

    assert 'data-error-summary aria-labelledby="erreurs-formulaire-titre"' in html
    # Radios link to their first choice; other fields to themselves.
    assert '<a href="#id_axis_0">Axe</a> : Ce champ est obligatoire.' in html
    assert '<a href="#id_body">Description</a> : Ce champ est obligatoire.' in html
    assert 'href="#id_title"' not in html  # filled in: not in error
    # Each field's own message is tied to it.
    assert 'aria-invalid="true" aria-describedby="id_body-desc-error"' in html
    assert '<div id="id_body-desc-error">' in html
    assert '<script src="/static/js/portail.js" defer></script>' in html


def test_the_login_form_summarises_a_refused_sign_in(client):
    html = client.post(
        reverse("login"), {"username": "inconnu@example.org", "password": "mauvais"}
    ).content.decode()

    assert "data-error-summary" in html
    assert "<li>Adresse électronique ou mot de passe incorrect." in html
