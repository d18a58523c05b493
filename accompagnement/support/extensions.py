"""What other packages add to the support screens, registered when the app starts.

The team's panel on a request page and the shared queue show parts that belong to other
packages: today the request's problem (and the forms that create one or attach the
request to one), and the form that groups ticked requests into a problem. Those packages
build on `support` (a problem groups requests and answers them through support's
services), so `support` cannot import them: each registers here, from its own
`extensions` module, a builder of what its part shows; `AccompagnementConfig.ready()`
imports those modules. Templates read each part under the name it was registered with.
"""

from collections.abc import Callable

from accompagnement.support.models import SupportRequest

# name → builder(support_request) of what the team panel shows for that part.
_REQUEST_PANEL: dict[str, Callable[[SupportRequest], object]] = {}
# name → builder() of a context variable of the queue page.
_QUEUE: dict[str, Callable[[], object]] = {}


def request_panel_extension_register(name: str, build: Callable[[SupportRequest], object]):
    """Add a part to the team panel of every request page (`team_panel.extensions.<name>`)."""
    _REQUEST_PANEL[name] = build


def queue_extension_register(name: str, build: Callable[[], object]):
    """Add a variable `<name>` to the context of the queue page."""
    _QUEUE[name] = build


def request_panel_extensions(support_request: SupportRequest) -> dict[str, object]:
    return {name: build(support_request) for name, build in _REQUEST_PANEL.items()}


def queue_extensions() -> dict[str, object]:
    return {name: build() for name, build in _QUEUE.items()}
