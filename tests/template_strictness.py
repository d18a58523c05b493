"""Fail a test when one of the project's own templates reads an undefined variable.

pytest-django's --fail-on-template-vars replaces `string_if_invalid`, which also
changes how django-dsfr's templates render (their `|default` filters stop applying),
so the tests would no longer see the real pages. Django logs every variable it
cannot resolve instead; this handler collects those logged for the project's
templates and leaves third-party templates alone.
"""

import logging
from pathlib import Path

from django.conf import settings


def project_template_names() -> set[str]:
    names = set()
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(settings.BASE_DIR) / app / "templates" for app in ("accompagnement", "ddi")]
    for root in roots:
        if root.is_dir():
            names.update(str(p.relative_to(root)) for p in root.rglob("*.html"))
    return names


class UndefinedVariableCollector(logging.Handler):
    def __init__(self, template_names: set[str]):
        super().__init__(level=logging.DEBUG)
        self.template_names = template_names
        self.problems: list[str] = []

    def emit(self, record):
        if not record.msg.startswith("Exception while resolving variable"):
            return
        variable, template_name = record.args[:2]
        if template_name in self.template_names:
            self.problems.append(f"'{variable}' in {template_name}")
