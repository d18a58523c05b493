"""Every request gets an id: the proxy's `X-Request-ID` when it sends a sane one, a new
one otherwise. It is on every log line of the request and in the response's header, so
that a user's complaint, the proxy's access log and the portal's log meet.

Every response also says how long the portal took to build it (`Server-Timing`, shown by
the browsers' developer tools; `make bench` reads it): the time spent in Django, from the
first middleware to the response, without the network nor the web server's queue. For a
streamed export, the rows written afterwards are not counted.
"""

import re
import uuid
from time import perf_counter

from django.core.signals import request_finished

from .logging import log_context

REQUEST_ID_HEADER = "X-Request-ID"
SERVER_TIMING_HEADER = "Server-Timing"
# Anything else (too long, spaces, line breaks) could forge log lines: replaced.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id_for(request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = perf_counter()
        request.request_id = request_id_for(request)
        # Kept until the response is closed: Django logs the 4xx and 5xx responses after
        # the middlewares have returned.
        log_context.set({"request_id": request.request_id, "request": request})
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        response[SERVER_TIMING_HEADER] = f"app;dur={(perf_counter() - started) * 1000:.1f}"
        return response


def _forget_the_request(**_):
    log_context.set(None)


request_finished.connect(_forget_the_request, dispatch_uid="acc_log_context_request_finished")
