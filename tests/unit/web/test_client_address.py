"""The client the throttle counts and the log names: the peer, unless a trusted proxy passed the request on;
then X-Forwarded-For from the right, past the trusted proxies, and never what the client wrote itself."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from edugateway.web.client_address import resolve_client

PROXIES = [ip_network("10.0.0.0/24"), ip_network("fd00::/64")]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),  # an untrusted peer's header is ignored
        ("127.0.0.1", ["198.51.100.1"], "127.0.0.1"),  # loopback is not trusted unless listed
        ("10.0.0.2", [], "10.0.0.2"),  # a trusted proxy that sent no header: itself
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.2", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),  # a forged left entry is never reached
        ("10.0.0.2", ["1.2.3.4, 198.51.100.1, 10.0.0.3"], "198.51.100.1"),  # two proxies in a row
        ("10.0.0.2", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),  # the header sent twice: read as one list
        ("10.0.0.2", ["10.0.0.4, 10.0.0.3"], "10.0.0.4"),  # all trusted: the farthest
        ("10.0.0.2", ["198.51.100.1:5678"], "198.51.100.1"),
        ("10.0.0.2", ["[2001:db8::7]:5678"], "2001:db8::7"),
        ("fd00::2", ["2001:DB8:0:0::7"], "2001:db8::7"),  # written the one canonical way
        ("::ffff:10.0.0.2", ["198.51.100.1"], "198.51.100.1"),  # an IPv4 proxy seen on an IPv6 socket
        ("10.0.0.2", ["unknown, 10.0.0.3"], "10.0.0.3"),  # junk: the last address known, not the junk
        ("testclient", ["198.51.100.1"], "testclient"),
    ],
)
def test_the_client_is_resolved_from_the_right(peer: str, forwarded_for: list[str], client: str) -> None:
    assert resolve_client(peer, forwarded_for, PROXIES) == client


def test_without_trusted_proxies_the_header_never_counts() -> None:
    assert resolve_client("10.0.0.2", ["198.51.100.1"], []) == "10.0.0.2"
