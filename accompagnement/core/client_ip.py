"""The client's address, the one django-axes and the rate limits count attempts by
(`AXES_CLIENT_IP_CALLABLE` and `RATELIMIT_IP_META_KEY` in config/settings/base.py).

Without `TRUSTED_PROXIES`, the peer of the connection (`REMOTE_ADDR`) is the client, and an
`X-Forwarded-For` header, which anyone can send, is ignored. When the peer is one of the
`TRUSTED_PROXIES` (a load balancer, a reverse proxy), each proxy has appended to
`X-Forwarded-For` the address it received the request from: read from the right, the first
address that is not a trusted proxy is the client's. What lies to its left was written by the
client itself and is never believed.
"""

import functools
import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _address(text: str) -> Address | None:
    """An address as proxies write it (`192.0.2.1`, `192.0.2.1:5678`, `2001:db8::1`,
    `[2001:db8::1]:443`), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str:
    """The client's IP address: `REMOTE_ADDR`, or behind trusted proxies the right-most
    address of `X-Forwarded-For` that is not one of them."""
    remote = request.META.get("REMOTE_ADDR", "")
    peer = _address(remote)
    networks = _networks(tuple(settings.TRUSTED_PROXIES))

    def trusted(address: Address) -> bool:
        return any(address in network for network in networks)

    if peer is None:
        return remote
    if not trusted(peer):
        return str(peer)
    nearest = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:  # unreadable: stop at the last proxy we could read
            break
        if not trusted(address):
            return str(address)
        nearest = address
    return str(nearest)
