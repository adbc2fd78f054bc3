"""The client's address behind 0 or more proxies, for every limit and record, allauth's included."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from infra.accounts import AccountAdapter
from infra.client import address_group, client_address
from tests.conftest import PASSWORD

PROXY = "10.0.0.2"  # nginx, as gunicorn sees it


def request(remote: str = PROXY, forwarded: str | None = None):
    headers = {"X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_proxies_the_socket_address_counts_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request("203.0.113.5", forwarded="198.51.100.7")) == "203.0.113.5"


def test_behind_one_proxy_the_address_it_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request(forwarded="203.0.113.5")) == "203.0.113.5"


def test_behind_one_proxy_a_forged_extra_entry_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 198.51.100.7"; nginx appended the address it saw.
    assert client_address(request(forwarded="198.51.100.7, 203.0.113.5")) == "203.0.113.5"


def test_behind_two_proxies_the_second_entry_from_the_right_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request(forwarded="198.51.100.7, 203.0.113.5, 10.0.0.1")) == "203.0.113.5"


def test_a_request_that_skipped_the_proxies_falls_back_to_the_socket(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request("192.0.2.9", forwarded="203.0.113.5")) == "192.0.2.9"
    assert client_address(request("192.0.2.9")) == "192.0.2.9"


@pytest.mark.parametrize("garbage", ["", "not-an-ip", "<script>", "999.1.1.1"])
def test_garbage_is_unknown_never_an_error(settings, garbage):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request(forwarded=garbage)) in {"unknown", PROXY}
    assert client_address(request(remote=garbage)) == "unknown"


def test_addresses_are_normalised():
    assert client_address(request("2001:DB8:0:0::1")) == "2001:db8::1"


def test_ipv6_addresses_are_grouped_by_their_64_bit_network():
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:ffff:1:2:3") == "2001:db8:1:2::/64"
    assert address_group("2001:db8:1:3::1") != address_group("2001:db8:1:2::1")
    assert address_group("203.0.113.5") == "203.0.113.5"
    assert address_group("::ffff:203.0.113.5") == "203.0.113.5"


def test_allauth_reads_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert AccountAdapter().get_client_ip(request(forwarded="198.51.100.7, 203.0.113.5")) == "203.0.113.5"


def login(address: str, email: str, password: str):
    client = Client(REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": address})
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.parametrize(("proxies", "other_signs_in"), [(1, True), (0, False)])
def test_thirteen_failed_logins_from_one_client_do_not_lock_out_another(settings, user, proxies, other_signs_in):
    """Behind nginx with DJANGO_TRUSTED_PROXY_COUNT=1 each client has its own limit; with 0,
    every client has the proxy's address, and one locks everyone out (the measured fault)."""
    settings.TRUSTED_PROXY_COUNT = proxies
    for number in range(13):
        response = login("203.0.113.5", f"nobody{number}@example.com", "wrong")
    assert "Too many failed login attempts" in response.content.decode()  # the attacker is limited
    response = login("198.51.100.7", user.email, PASSWORD)
    assert (response.status_code == 302) is other_signs_in
