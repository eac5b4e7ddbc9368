"""Who is signing in: the address the sign-in throttle counts and the log records.

The direct peer of the connection, unless it is one of `web.trusted_proxies`: then X-Forwarded-For is read from
the right (each proxy appends the address it saw), skipping the trusted proxies, and the first address that is
not one of them is the client. Whatever a client writes itself into the header sits left of that and is never
read, so a forged header cannot buy a fresh address. uvicorn must not rewrite the peer first (`serve web` turns
its proxy headers off), or the peer would already be the forged value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from fastapi import Request

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address


def request_client(request: Request, trusted: Sequence[Network]) -> str:
    peer = request.client.host if request.client else "unknown"
    return resolve_client(peer, request.headers.getlist("x-forwarded-for"), trusted)


def resolve_client(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    current = _parse(peer)
    if current is None or not _is_trusted(current, trusted):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            break  # not an address: a trusted proxy passed on junk; the last good hop is all we know
        current = parsed
        if not _is_trusted(current, trusted):
            break
    return str(current)


def _is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in trusted)


def _parse(text: str) -> Address | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`."""
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ip_address(text)
    except ValueError:
        return None
