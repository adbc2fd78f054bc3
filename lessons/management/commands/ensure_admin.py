"""Create the local admin account once, and say how to sign in."""

import os

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a local staff superuser (DJANGO_ADMIN_EMAIL / DJANGO_ADMIN_PASSWORD) if none exists."

    def handle(self, *args, **options):
        email = os.environ.get("DJANGO_ADMIN_EMAIL", "admin@example.com")
        password = os.environ.get("DJANGO_ADMIN_PASSWORD", "stream-admin-local")
        User = get_user_model()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_superuser(username="admin", email=email, password=password)
            message = "Created the local admin account"
        else:
            message = "The local admin account exists"
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        self.stdout.write(self.style.SUCCESS(f"{message}: sign in at http://127.0.0.1:8000/admin/ as {email}"))
        if user.check_password(password):
            self.stdout.write(f"  password: {password}  (change it in the admin; set DJANGO_ADMIN_PASSWORD to choose)")
