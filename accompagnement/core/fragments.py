"""Rendered HTML kept in the cache, for the costly parts of a page whose every input is known.

Django's `{% cache %}` tag, with two differences: the key is a digest of everything the
fragment shows (so a fragment is never stale: new inputs, new key), and a cache that does
not answer only means rendering again — a page never fails because Redis is down.

The one fragment so far is the shared queue's filter block: 23 fields and some 600
options, about a quarter of the page's time, the same for every member who asks for the
same filters.
"""

import hashlib
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key

logger = logging.getLogger(__name__)

# Long enough to serve a morning's triage, short enough that a release's new markup shows
# without clearing the cache (docs/deploy.md).
FRAGMENT_SECONDS = 10 * 60


def fragment_key(*inputs) -> str:
    """A digest of what a fragment shows: choices, labels, the query string…"""
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


def cached_render(name: str, key: str, render: Callable[[], str]) -> str:
    cache_key = make_template_fragment_key(name, [key])
    try:
        html = cache.get(cache_key)
    except Exception:
        logger.warning("Cache injoignable, fragment %s rendu sans cache", name, exc_info=True)
        return render()
    if html is None:
        html = render()
        try:
            cache.set(cache_key, html, FRAGMENT_SECONDS)
        except Exception:
            logger.warning("Cache injoignable, fragment %s non conservé", name, exc_info=True)
    return html
