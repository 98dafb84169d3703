"""The address a request comes from, for rate limits and login throttling.

The connection's address counts, unless the connection comes from one of the reverse proxies
the admin named (settings.TRUSTED_PROXIES): only then is a forwarding header believed. Anyone
else can write any X-Forwarded-For they like, and a fresh address per request would escape
every per-address limit."""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's address. `anliegen serve` already resolves X-Forwarded-For from trusted
    proxies (uvicorn's proxy_headers), so REMOTE_ADDR is the client's there; CLIENT_IP_HEADER
    covers proxies that name the client in a header of their own. Its entries are read from
    the right (each proxy appends the address it saw), skipping our own proxies."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    header = settings.CLIENT_IP_HEADER
    if not header or not is_trusted_proxy(remote):
        return remote
    for entry in reversed(request.headers.get(header, "").split(",")):
        entry = entry.strip()
        if entry and not is_trusted_proxy(entry):
            return entry[:64]
    return remote
