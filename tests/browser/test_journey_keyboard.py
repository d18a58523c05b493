"""Keyboard only: an agent signs in and files a request without touching the mouse
(Tab, Shift+Tab, Space, Enter and the arrow keys), the focus always visible."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.axes.models import Axis
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "",
    value: el.value === undefined ? "" : String(el.value),
    text: (el.innerText || "").trim(),
    focusVisible: el.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    summary: el.hasAttribute("data-error-summary"),
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page):
    element = focused(page)
    assert element["focusVisible"], element
    if element["type"] not in ("radio", "checkbox"):
        # DSFR draws the ring on the element; radios and checkboxes draw it on their label.
        assert element["outline"], f"no visible focus ring on {element}"


def tab_to(page, matches, *, backwards=False, limit=80) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches; fail after `limit`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        element = focused(page)
        if matches(element):
            assert_focus_visible(page)
            return element
    pytest.fail("never reached by the keyboard")


def test_agent_signs_in_and_files_a_request_with_the_keyboard_only(page, screenshot):
    agent = UserFactory(first_name="Camille")
    CategoryFactory(axis=Axis.TOOL, name="Restitutions (INF-BUD, Business Objects)")

    page.goto("/connexion/")
    # The e-mail field has the focus when the page opens.
    assert focused(page)["name"] == "username"
    page.keyboard.type(agent.email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    assert_focus_visible(page)
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour Camille")
    screenshot("clavier-accueil")

    # The skip links come first; "Menu" leads to the main menu.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Contenu"
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Menu"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Accueil"
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Mes demandes"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/demandes/$"))
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Nouvelle demande")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer une demande")

    # "Contenu" skips the header and the menu.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Contenu"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#contenu$"))
    assert focused(page)["id"] == "contenu"

    # Sent empty: the page comes back with the focus on the error summary.
    tab_to(page, lambda el: el["text"] == "Envoyer la demande")
    page.keyboard.press("Enter")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    screenshot("clavier-erreurs")
    # Its first link leads to the first field in error: the axis radios.
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Axe")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_axis_0"
    page.keyboard.press("Space")
    expect(page.locator("#id_axis_0")).to_be_checked()

    category = tab_to(page, lambda el: el["name"] == "category")
    assert category["tag"] == "select"
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_category")).to_have_value(re.compile(r"^\d+$"))
    assert "Restitutions" in page.locator("#id_category option:checked").inner_text()

    tab_to(page, lambda el: el["name"] == "title")
    page.keyboard.type("Restitution INF-BUD-53 vide depuis lundi")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "body"
    page.keyboard.type("La restitution ne renvoie aucune ligne.")

    # The priority radios: the arrow keys move the choice within the group.
    first = tab_to(page, lambda el: el["name"] == "priority")
    page.keyboard.press("Space")
    choice = first["value"]
    while choice != "high":
        page.keyboard.press("ArrowDown")
        choice = focused(page)["value"]
        assert choice != first["value"], "went round the priorities without finding high"
    expect(page.locator("input[name=priority][value=high]")).to_be_checked()

    # Back up one field with Shift+Tab, then forward to the button.
    assert tab_to(page, lambda el: el["name"] == "body", backwards=True)["tag"] == "textarea"
    tab_to(page, lambda el: el["text"] == "Envoyer la demande")
    screenshot("clavier-formulaire-rempli")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre demande est enregistrée")
    expect(page.get_by_text(re.compile(r"ACC-\d{4}-\d{5}")).first).to_be_visible()
    screenshot("clavier-confirmation")
