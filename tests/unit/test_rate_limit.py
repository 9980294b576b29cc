"""Which client addresses share a rate-limit count."""

from __future__ import annotations

from service.rate_limit import address_key


def test_an_ipv6_client_counts_by_its_64_network_so_rotating_addresses_gains_nothing() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")


def test_ipv4_clients_count_one_by_one_however_written() -> None:
    assert address_key("203.0.113.7") != address_key("203.0.113.8")
    assert address_key("::ffff:203.0.113.7") == address_key("203.0.113.7")
    assert address_key("unknown") == "ip:unknown"
