from accompagnement.rendering import render_markdown


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
