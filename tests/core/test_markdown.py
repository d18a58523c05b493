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
    assert "javascript:" not in html
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
