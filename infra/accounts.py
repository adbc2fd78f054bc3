"""allauth's account adapter, changed in one respect: the client's address."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from infra.client import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's login and sign-up limits count by; allauth groups IPv6 by /64 itself."""
        return client_address(request)
