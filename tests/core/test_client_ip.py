"""`client_ip`: the client's address, read from X-Forwarded-For only through trusted proxies."""

import pytest
from django.test import RequestFactory

from accompagnement.core.client_ip import client_ip

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::/32"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # No proxy trusted here: the header is the client's word, ignored.
        ("198.51.100.9", "192.0.2.1", "198.51.100.9"),
        # From the proxy: the right-most address the proxies did not add themselves.
        (PROXY, "192.0.2.1", "192.0.2.1"),
        (PROXY, "192.0.2.66, 192.0.2.1", "192.0.2.1"),
        (PROXY, "192.0.2.1, 10.0.0.7", "192.0.2.1"),
        (PROXY, "192.0.2.1,10.0.0.7 , 10.0.0.8", "192.0.2.1"),
        (PROXY, "2001:db8::5, 2a01:e0a::1", "2a01:e0a::1"),
        (PROXY, "192.0.2.1:51234", "192.0.2.1"),
        (PROXY, "[2a01:e0a::1]:443", "2a01:e0a::1"),
        ("::ffff:10.0.0.2", "192.0.2.1", "192.0.2.1"),
        # Nothing usable: the nearest address known.
        (PROXY, "", PROXY),
        (PROXY, "10.0.0.7", "10.0.0.7"),
        (PROXY, "n'importe quoi, 10.0.0.7", "10.0.0.7"),
        (PROXY, "unknown", PROXY),
    ],
)
@pytest.mark.usefixtures("behind_proxy")
def test_client_ip(remote, forwarded, expected):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected
