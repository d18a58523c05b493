"""The demonstration articles published by `seed_demo`: the files of
`accompagnement/data/demo_articles/`, created once by address and never overwritten."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import resolve
from django.utils import timezone

from accompagnement.accounts.models import User
from accompagnement.axes.models import Axis
from accompagnement.core.markdown import render_markdown
from accompagnement.demo.articles import (
    DEMO_ARTICLE_AUTHOR,
    InvalidDemoArticle,
    load_demo_articles,
    seed_demo_articles,
)
from accompagnement.knowledge.models import Article, ArticleStatus
from accompagnement.knowledge.services import article_update

pytestmark = pytest.mark.django_db

DEMO_FILES = load_demo_articles()


@pytest.fixture
def reference_data():
    call_command("load_reference_data", "--no-progress", verbosity=0)


@pytest.fixture
def seeded(reference_data):
    call_command("seed_demo", "--no-progress", verbosity=0)


def test_seed_demo_publishes_the_articles_once_and_says_so(reference_data, capsys):
    call_command("seed_demo", "--no-progress")
    first = capsys.readouterr().out
    slugs = set(Article.objects.values_list("slug", flat=True))
    call_command("seed_demo", "--no-progress")
    second = capsys.readouterr().out

    assert 6 <= len(DEMO_FILES) <= 8
    assert slugs == {demo.slug for demo in DEMO_FILES}
    assert Article.objects.count() == len(DEMO_FILES)
    assert f"Articles de démonstration publiés : {len(DEMO_FILES)} créés, 0 déjà" in first
    assert f"0 créés, {len(DEMO_FILES)} déjà présents" in second


def test_every_article_is_published_by_the_sgg_member_under_a_valid_axis(seeded):
    sgg_member = User.objects.get(email=DEMO_ARTICLE_AUTHOR)
    articles = Article.objects.prefetch_related("categories")

    assert {a.status for a in articles} == {ArticleStatus.PUBLISHED}
    assert {a.author_id for a in articles} == {sgg_member.pk}
    assert {a.axis for a in articles} == set(Axis.values)  # every axis has something
    for article in articles:
        categories = list(article.categories.all())
        assert categories, article.slug
        assert {c.axis for c in categories} == {article.axis}, article.slug
        assert article.get_absolute_url() == f"/ressources/{article.slug}/"
        assert article.reviewed_on is not None


def test_each_file_becomes_the_article_at_its_address(seeded):
    for demo in DEMO_FILES:
        article = Article.objects.get(slug=demo.slug)
        assert (article.title, article.summary, article.kind) == (
            demo.title,
            demo.summary,
            demo.kind,
        )
        assert sorted(article.categories.values_list("code", flat=True)) == sorted(demo.categories)


@pytest.mark.parametrize("demo", DEMO_FILES, ids=lambda demo: demo.slug)
def test_markdown_renders_as_text_headings_and_lists_without_raw_markup(demo):
    html = str(render_markdown(demo.body))

    assert "<h3>" in html
    assert "<ul>" in html or "<ol>" in html or "<table>" in html
    # Nothing left unrendered: no Markdown markers, no escaped tags, no task-list boxes.
    text = re.sub(r"<[^>]+>", "", html)
    assert "**" not in text
    assert "###" not in text
    assert "&lt;" not in html
    assert "[ ]" not in text
    assert "](" not in text
    # One paragraph per line in the files: a hard-wrapped line would show as a <br>.
    assert "<br" not in html


@pytest.mark.parametrize("demo", DEMO_FILES, ids=lambda demo: demo.slug)
def test_links_go_to_portal_pages_or_to_an_official_site_cited_in_the_data(demo):
    official = ("https://info.agriculture.gouv.fr/",)
    for href in re.findall(r'href="([^"]+)"', str(render_markdown(demo.body))):
        if href.startswith("/"):
            resolve(href)  # a page of the portal
        else:
            assert href.startswith(official), href


def test_an_article_the_team_edited_is_not_overwritten_by_a_second_seed(seeded):
    article = Article.objects.get(slug="check-list-fin-de-gestion-2011")
    article_update(
        article=article,
        title="Check-list de fin de gestion (version DDI 13)",
        body="### Nos dates\nCelles de notre CSP.",
        status=ArticleStatus.ARCHIVED,
    )
    edited = Article.objects.get(pk=article.pk)

    call_command("seed_demo", "--no-progress", verbosity=0)

    again = Article.objects.get(pk=article.pk)
    assert (again.title, again.body, again.status, again.updated_at) == (
        edited.title,
        edited.body,
        ArticleStatus.ARCHIVED,
        edited.updated_at,
    )
    assert Article.objects.count() == len(DEMO_FILES)


def test_a_deleted_article_comes_back_at_the_same_address(seeded):
    Article.objects.filter(slug="qui-saisit-le-service-fait").delete()

    call_command("seed_demo", "--no-progress", verbosity=0)

    assert Article.objects.get(slug="qui-saisit-le-service-fait").is_published


def test_the_articles_appear_in_the_knowledge_base_of_an_agent(seeded, client):
    agent = User.objects.get(email="agent.ddpp13@example.org")
    client.force_login(agent)

    response = client.get("/ressources/qui-saisit-le-service-fait/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Qui saisit le service fait : la DDI ou le CSP ?" in body
    assert "<th>Certification du service fait</th>" not in body  # a cell, not a header
    assert "<td>Certification du service fait</td>" in body
    assert "Antoine Leclerc" in body  # the demo SGG member


def test_a_file_with_an_unknown_category_stops_before_any_article(reference_data, tmp_path):
    call_command("seed_demo", "--no-progress", verbosity=0)
    Article.objects.all().delete()
    (tmp_path / "bon.md").write_text(
        "---\nkind: faq\naxis: tool\ncategories: habilitations\ntitle: Bon\nsummary: S\n---\n"
        "### Texte\n- un\n",
        encoding="utf-8",
    )
    (tmp_path / "mauvais.md").write_text(
        "---\nkind: faq\naxis: tool\ncategories: bascule-ej\ntitle: Mauvais\nsummary: S\n---\n"
        "Texte\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDemoArticle, match="mauvais.md : catégorie « bascule-ej »"):
        seed_demo_articles(today=timezone.localdate(), directory=tmp_path)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("kind: faq\naxis: tool\ntitle: T\nsummary: S", "en-tête incomplet (categories)"),
        ("kind: memo\naxis: tool\ncategories: x\ntitle: T\nsummary: S", "nature inconnue"),
        ("kind: faq\naxis: budget\ncategories: x\ntitle: T\nsummary: S", "axe inconnu"),
        ("kind: faq\naxe: tool\ncategories: x\ntitle: T\nsummary: S", "ligne d'en-tête"),
    ],
)
def test_a_malformed_file_is_named_in_the_error(tmp_path, front_matter, message):
    (tmp_path / "article.md").write_text(f"---\n{front_matter}\n---\nTexte\n", encoding="utf-8")

    with pytest.raises(InvalidDemoArticle, match=re.escape(f"article.md : {message}")):
        load_demo_articles(tmp_path)


def test_the_command_reports_an_invalid_file(reference_data, monkeypatch, tmp_path):
    (tmp_path / "article.md").write_text("Pas d'en-tête\n", encoding="utf-8")
    monkeypatch.setattr("accompagnement.demo.articles.DEMO_ARTICLES_DIR", tmp_path)

    with pytest.raises(CommandError, match="article.md : bloc d'en-tête"):
        call_command("seed_demo", "--no-progress", verbosity=0)
