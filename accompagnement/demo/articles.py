"""Demonstration articles of the knowledge base, read from `data/demo_articles/` (Markdown
with front matter).

Used by `manage.py seed_demo`; idempotent (each article is created once by address and
never overwritten).
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from accompagnement.accounts.models import User
from accompagnement.axes.models import Axis, Category
from accompagnement.demo.dates import working_day_on_or_before
from accompagnement.demo.people import MissingReferenceData
from accompagnement.knowledge.models import Article, ArticleKind, ArticleStatus
from accompagnement.knowledge.services import RESERVED_SLUGS, article_create
from ddi.models import Programme

# ---------------------------------------------------------------------------- articles

DEMO_ARTICLES_DIR = Path(__file__).resolve().parent.parent / "data" / "demo_articles"
DEMO_ARTICLE_AUTHOR = "membre.sgg@example.org"
_FRONT_MATTER_KEYS = {"kind", "axis", "categories", "programmes", "ddi_kinds", "title", "summary"}
_REQUIRED_KEYS = {"kind", "axis", "categories", "title", "summary"}


class InvalidDemoArticle(Exception):
    pass


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    kind: str
    axis: str
    title: str
    summary: str
    body: str
    categories: tuple[str, ...]
    programmes: tuple[str, ...] = ()
    ddi_kinds: tuple[str, ...] = ()


def _parse_demo_article(path: Path) -> DemoArticle:
    """One Markdown file: a `---` block of `key: value` lines, then the article's text.
    The file name (without `.md`) is the article's address (slug)."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        raise InvalidDemoArticle(f"{path.name} : bloc d'en-tête « --- » manquant")
    fields = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in _FRONT_MATTER_KEYS:
            raise InvalidDemoArticle(f"{path.name} : ligne d'en-tête inattendue « {line} »")
        fields[key.strip()] = value.strip()
    missing = _REQUIRED_KEYS - {key for key, value in fields.items() if value}
    if missing:
        raise InvalidDemoArticle(f"{path.name} : en-tête incomplet ({', '.join(sorted(missing))})")
    if fields["kind"] not in ArticleKind.values:
        raise InvalidDemoArticle(f"{path.name} : nature inconnue « {fields['kind']} »")
    if fields["axis"] not in Axis.values:
        raise InvalidDemoArticle(f"{path.name} : axe inconnu « {fields['axis']} »")
    if len(fields["summary"]) > Article._meta.get_field("summary").max_length:
        raise InvalidDemoArticle(f"{path.name} : résumé trop long")
    slug = path.stem
    if slug != slugify(slug) or slug in RESERVED_SLUGS:
        raise InvalidDemoArticle(f"{path.name} : nom de fichier inutilisable comme adresse")
    return DemoArticle(
        slug=slug,
        kind=fields["kind"],
        axis=fields["axis"],
        title=fields["title"],
        summary=fields["summary"],
        body=body.strip() + "\n",
        categories=tuple(fields["categories"].split()),
        programmes=tuple(fields.get("programmes", "").split()),
        ddi_kinds=tuple(fields.get("ddi_kinds", "").split()),
    )


def load_demo_articles(directory: Path | None = None) -> list[DemoArticle]:
    paths = sorted((directory or DEMO_ARTICLES_DIR).glob("*.md"))
    return [_parse_demo_article(path) for path in paths]


@transaction.atomic
def seed_demo_articles(*, today: date, directory: Path | None = None) -> dict[str, int]:
    """Publish the demonstration articles that are not there yet, keyed by address (slug).

    An article whose address already exists is left as it is, whatever the team did to it
    (edited, archived): the files only seed an empty knowledge base. Written by the demo
    SGG member, so `seed_demo_people` must have run first.
    """
    articles = load_demo_articles(directory)
    categories = {c.code: c for c in Category.objects.all()}
    programmes = {p.code: p for p in Programme.objects.all()}
    for article in articles:
        for code in article.categories:
            if code not in categories or categories[code].axis != article.axis:
                raise InvalidDemoArticle(
                    f"{article.slug}.md : catégorie « {code} » inconnue pour l'axe {article.axis}"
                )
    author = User.objects.filter(email=DEMO_ARTICLE_AUTHOR).first()
    if author is None:
        raise MissingReferenceData

    existing = set(
        Article.objects.filter(slug__in=[a.slug for a in articles]).values_list("slug", flat=True)
    )
    counts = {"created": 0, "existing": 0}
    for demo in articles:
        if demo.slug in existing:
            counts["existing"] += 1
            continue
        article = article_create(
            author=author,
            kind=demo.kind,
            title=demo.title,
            summary=demo.summary,
            body=demo.body,
            axis=demo.axis,
            status=ArticleStatus.PUBLISHED,
            categories=[categories[code] for code in demo.categories],
            programmes=[programmes[code] for code in demo.programmes if code in programmes],
            ddi_kinds=list(demo.ddi_kinds),
            # Reviewed on a working day: the last one up to today.
            reviewed_on=working_day_on_or_before(today),
        )
        if article.slug != demo.slug:
            # The address is the file's name, not the title's: the key of later runs.
            Article.objects.filter(pk=article.pk).update(slug=demo.slug)
        counts["created"] += 1
    return counts
