import contextlib
import html as html_module
import logging
import re

import pytest

from accompagnement.core import markdown as markdown_module
from accompagnement.core.markdown import render_markdown


def test_markdown_is_rendered():
    html = render_markdown("**EJ** bloqué\n\n- un\n- deux")
    assert "<strong>EJ</strong>" in html
    assert "<li>un</li>" in html


def test_scripts_and_event_handlers_are_removed():
    html = render_markdown(
        "<script>alert(1)</script> <img src=x onerror=alert(2)> "
        "[lien](javascript:alert(3)) <a href='https://example.org' onclick='x()'>ok</a>"
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    # The javascript: link stays as inert text; the only link is the https one.
    assert re.findall(r'href="([^"]*)"', html) == ["https://example.org"]
    assert "<img" not in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_one_text_leaves_nothing_to_the_next():
    """The converter is reused: a link reference defined in one message must not turn
    another message's text into a link."""
    first = render_markdown("Voir [la fiche][1].\n\n[1]: https://fiche.example.org/")
    assert 'href="https://fiche.example.org/"' in first
    second = render_markdown("Voir [la note][1].")
    assert "href" not in second
    assert "[la note][1]" in second


# ---------------------------------------------------------------------------- hostile texts

NESTED_LIST = "- " * 500 + "x"
BRACKETS = "[" * 8000


@pytest.mark.parametrize(
    "text", [NESTED_LIST, BRACKETS, ">" * 5000 + " x"], ids=["nested-list", "brackets", "quotes"]
)
def test_a_hostile_text_renders_with_all_its_words(text):
    html = str(render_markdown(text))

    visible = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    assert visible.replace(" ", "").replace("\n", "").endswith(text.replace(" ", "")[-20:])


def test_a_hostile_text_leaves_the_renderer_working_for_the_next_one():
    with contextlib.suppress(RecursionError):  # what the old converter raised
        render_markdown(NESTED_LIST)

    assert "<strong>gras</strong>" in render_markdown("**gras**")


def test_a_text_nested_too_deep_is_shown_as_plain_text_escaped(caplog):
    text = "- " * 30 + "<script>alert(1)</script> **pas gras**"

    with caplog.at_level(logging.WARNING, logger="accompagnement.core.markdown"):
        html = str(render_markdown(text))

    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **pas gras**" in html
    assert "<strong>" not in html
    assert "texte brut" in caplog.text
    assert "<script>" not in caplog.text  # the text itself is not logged


def test_a_failed_render_shows_the_escaped_text_and_the_next_one_is_formatted(monkeypatch, caplog):
    def broken(text):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(markdown_module, "_to_html", broken)
    with caplog.at_level(logging.WARNING, logger="accompagnement.core.markdown"):
        html = str(render_markdown("**gras** <b>x</b>\n\nsuite"))
    monkeypatch.undo()

    assert html == "<p>**gras** &lt;b&gt;x&lt;/b&gt;</p>\n\n<p>suite</p>"
    assert "RecursionError" in caplog.text
    assert "<strong>gras</strong>" in render_markdown("**gras**")


def test_a_text_longer_than_the_renderer_takes_is_shown_as_plain_text():
    text = "**gras** " + "a" * markdown_module.RENDER_MAX_LENGTH

    html = str(render_markdown(text))

    assert html.startswith("<p>**gras** aaa")
    assert "<strong>" not in html


def test_what_the_portal_writes_still_renders():
    html = str(
        render_markdown(
            "### Étapes\n\n1. **Ouvrir** la [restitution](https://chorus.example.org/)\n"
            "2. *Filtrer*\n\nligne un\nligne deux\n\n"
            "| étape | qui |\n| --- | --- |\n| Service fait | DDI |\n\n"
            "```\ncode\n```\n\n> cité\n\n---\n\n- un\n  - deux"
        )
    )
    for fragment in (
        "<h3>Étapes</h3>",
        "<ol>",
        "<strong>Ouvrir</strong>",
        '<a href="https://chorus.example.org/" rel="noopener noreferrer nofollow">restitution</a>',
        "<em>Filtrer</em>",
        "ligne un<br>",
        "<th>étape</th>",
        "<td>Service fait</td>",
        "<pre><code>code\n</code></pre>",
        "<blockquote>",
        "<hr>",
        "<li>deux</li>",
    ):
        assert fragment in html, fragment


@pytest.mark.parametrize(
    "text",
    [
        # A wide header, then thousands of one-character rows, each completed to its width.
        "|" + "a|" * 1000 + "\n|" + "-|" * 1000 + "\n" + "|x\n" * 2000,
        # A long link reference, used thousands of times.
        "[a]: https://exemple.fr/" + "a" * 4000 + "\n\n" + "[a]" * 5000,
    ],
    ids=["table-cells", "reference-reuse"],
)
def test_a_text_that_would_swell_is_shown_as_plain_text(text):
    html = str(render_markdown(text))

    assert "<td>" not in html and "<a " not in html
    assert len(html) < 2 * len(text)


def test_tables_of_an_article_render():
    row = "| " + " | ".join(["case"] * 10) + " |\n"
    table = row + "|" + "---|" * 10 + "\n" + row * 200

    html = str(render_markdown(f"{table}\n\n{table}"))

    assert html.count("<td>case</td>") == 4000
