"""Signed tokens for the one-click unsubscribe link in reply emails (no sign-in needed, cannot be forged)."""

from django.contrib.auth import get_user_model
from django.core import signing

UNSUBSCRIBE_SALT = "comments.unsubscribe"


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_id(token: str) -> int:
    """The account a token names; raises ``signing.BadSignature`` for a tampered or foreign token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    user_id = data.get("u") if isinstance(data, dict) else None
    if not isinstance(user_id, int):
        raise signing.BadSignature("no account in token")
    return user_id


def unsubscribe_account_id(token: str) -> int:
    """``unsubscribe_user_id`` for an account that still exists (one query); ``BadSignature`` otherwise."""
    user_id = unsubscribe_user_id(token)
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise signing.BadSignature("no such account")
    return user_id
