"""User text (Markdown) to safe HTML, and the caps on the texts the portal accepts.

`render_markdown` parses with markdown-it-py (CommonMark, plus tables and a line break for
each new line), then sanitises the HTML with nh3. The parser keeps no state between two
texts and works in time proportional to the text, within bounds: one text can neither
slow the others down nor change how they render. A text it will not format — longer than
`RENDER_MAX_LENGTH`, nested deeper than `MAX_NESTING`, with tables of more than
`MAX_TABLE_CELLS` cells, whose HTML would be far longer than itself, or one that makes the
parser fail — is shown as escaped plain text, and a warning is logged (without the text):
a stored text never breaks a page or an e-mail.

The forms and the services refuse longer texts than the caps below, with the same French
message (`TextLengthValidator`, `check_text_length`).
"""

import logging

import nh3
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_block.table import table as gfm_table

logger = logging.getLogger(__name__)

# Caps, in characters: a request's description, a message, a problem's description…
TEXT_MAX_LENGTH = 20_000
# … and an article of the knowledge base.
ARTICLE_MAX_LENGTH = 100_000
# Longer texts (none the forms accept) are shown as plain text.
RENDER_MAX_LENGTH = ARTICLE_MAX_LENGTH
# The parser's nesting limit: a list inside a list item counts two levels, a quote one.
# A text that reaches it (lists eight deep, quotes eighteen deep) is shown as plain text,
# never cut: the parser drops what lies deeper.
MAX_NESTING = 20
# Cells of the tables of one text, the empty ones included: a row shorter than the header
# is completed to its width, so a wide header and many one-character rows could make
# hundreds of thousands (an article's tables hold a few hundred).
MAX_TABLE_CELLS = 5_000
# The HTML may be this many times longer than the text, plus a margin (`&quot;`, `<td>`…);
# more (a long link reference used a thousand times), the text is shown as plain text.
HTML_GROWTH, HTML_MARGIN = 8, 20_000

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}

NARROW_NBSP = "\u202f"


# ---------------------------------------------------------------------------- caps


def _french_number(value: int) -> str:
    return f"{value:,}".replace(",", NARROW_NBSP)


@deconstructible
class TextLengthValidator:
    """Refuses a text longer than `limit` characters, in French, with both numbers."""

    code = "too_long"

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise ValidationError(
                _(
                    "Texte trop long : %(length)s caractères, pour %(limit)s au plus. "
                    "Raccourcissez-le."
                ),
                code=self.code,
                params={
                    "length": _french_number(len(value)),
                    "limit": _french_number(self.limit),
                },
            )

    def __eq__(self, other):
        return isinstance(other, TextLengthValidator) and other.limit == self.limit


def check_text_length(text: str, *, limit: int, field: str) -> None:
    """For the services: a text longer than `limit` raises the validator's error on `field`."""
    try:
        TextLengthValidator(limit)(text)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from None


# ---------------------------------------------------------------------------- rendering


class _NotFormatted(Exception):
    """A text the renderer will not format (the reason is logged, not the text)."""


def _bounded_table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The GFM table rule, once the text's tables are known to hold at most
    `MAX_TABLE_CELLS` cells: counted before the rule builds them (one line each)."""
    is_table = gfm_table(state, start_line, end_line, True)  # reads two lines, builds nothing
    if silent or not is_table:
        return is_table
    delimiter = state.src[state.bMarks[start_line + 1] : state.eMarks[start_line + 1]]
    columns = sum(1 for cell in delimiter.split("|") if cell.strip())
    cells = state.env.get("table_cells", 0) + columns
    line = start_line + 2
    while cells <= MAX_TABLE_CELLS and line < end_line and not state.isEmpty(line):
        cells += columns
        line += 1
    if cells > MAX_TABLE_CELLS:
        raise _NotFormatted(f"tableaux de plus de {MAX_TABLE_CELLS} cases")
    state.env["table_cells"] = cells
    return gfm_table(state, start_line, end_line, False)


def _parser() -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark", {"html": True, "breaks": True, "maxNesting": MAX_NESTING}
    ).enable("table")
    parser.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    # Compile every rule chain now: the parser is shared by the threads, and reads only.
    parser.parse("*a* [b](c)\n\n| d |\n| - |\n| e |")
    return parser


_PARSER = _parser()


def _to_html(text: str) -> str:
    if len(text) > RENDER_MAX_LENGTH:
        raise _NotFormatted(f"{len(text)} caractères, plus de {RENDER_MAX_LENGTH}")
    tokens = _PARSER.parse(text, {})  # a fresh environment: nothing kept between texts
    if max((token.level for token in tokens), default=0) >= MAX_NESTING - 1:
        # The parser silently drops what lies deeper: the whole text is shown instead.
        raise _NotFormatted(f"imbrication sur {MAX_NESTING} niveaux")
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    if len(html) > HTML_GROWTH * len(text) + HTML_MARGIN:
        raise _NotFormatted(f"{len(html)} caractères de HTML pour {len(text)} de texte")
    return html


def _plain(text: str) -> SafeString:
    """The text as typed, escaped: paragraphs and line breaks only."""
    return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 (escaped)


def render_markdown(text: str) -> SafeString:
    text = text or ""
    try:
        html = _to_html(text)
    except _NotFormatted as reason:
        logger.warning("Markdown affiché en texte brut : %s", reason)
        return _plain(text)
    except Exception as error:  # noqa: BLE001 (any failure: the page must still show)
        logger.warning(
            "Markdown affiché en texte brut : l’analyseur a échoué (%s) sur %d caractères",
            type(error).__name__,
            len(text),
        )
        return _plain(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)
