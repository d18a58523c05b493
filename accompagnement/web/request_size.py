"""Requests too big for the portal are refused (413, a French page) before anything reads
their body.

Django reads a body only when something asks for `request.POST`, `request.FILES` or
`request.body` (the CSRF check is the first): it then parses it, and writes the files to
temporary files, before any form can say they are too big. This middleware, listed before
any of that, compares the `Content-Length` the client announced with
`REQUEST_BODY_MAX_SIZE` (config/settings/base.py: the largest filing the forms accept) and
answers 413 without reading a byte. A body sent without `Content-Length` is not read by
Django at all (WSGI). The reverse proxy caps the size too (docs/deploy.md), so that an
oversized body does not even reach the portal's workers.
"""

import logging

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from accompagnement.support.uploads import MAX_UPLOAD_FILES, MAX_UPLOAD_SIZE

logger = logging.getLogger(__name__)


def declared_length(request) -> int:
    """The body's announced length; 0 when missing or not a number, as Django reads it."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length, limit = declared_length(request), settings.REQUEST_BODY_MAX_SIZE
        if length > limit:
            logger.warning("Request body refused: %d bytes announced, %d allowed", length, limit)
            return render(
                request,
                "413.html",
                {
                    "max_size": filesizeformat(limit),
                    "max_files": MAX_UPLOAD_FILES,
                    "max_file_mb": MAX_UPLOAD_SIZE // (1024 * 1024),
                },
                status=413,
            )
        return self.get_response(request)
