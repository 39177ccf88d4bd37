"""The client's address behind a reverse proxy (Caddy, nginx, a load balancer).

Behind a proxy every connection comes from the proxy, so lockout by username and address
would become lockout by username alone, and every access event would name the proxy.
``X-Forwarded-For`` names the client, but anyone can send that header: it is believed only
from a proxy listed in ``AMPARO_TRUSTED_PROXIES``, and then read from the right, skipping
trusted proxies, so that the address taken is the last one that a trusted hop saw
connect. Whatever the client itself put further left is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(
    remote_addr: str, forwarded_for: str, proxies: Sequence[Network]
) -> str:
    """The client's address given the connecting address and X-Forwarded-For."""
    if not proxies or not _trusted(remote_addr, proxies) or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # Garbage from the client (or a port we do not parse): stop believing the rest.
            return remote_addr
        if not _trusted(hop, proxies):
            return hop
    # Every hop is one of our proxies: the leftmost is the closest we know to the client.
    return hops[0] if hops else remote_addr


class TrustedProxyMiddleware:
    """Put the client's address into REMOTE_ADDR for everything after it (axes, audit)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies = settings.AMPARO_TRUSTED_PROXIES
        remote = request.META.get("REMOTE_ADDR", "")
        client = client_address(remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), proxies)
        if client != remote:
            request.META["AMPARO_PROXY_ADDR"] = remote
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
