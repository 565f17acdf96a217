"""Give a person one of the three separated system roles, or take it away (a deployment step).

manage.py grant_system_role admin@example.cn system_admin
manage.py grant_system_role auditor@example.cn auditor
manage.py grant_system_role security@example.cn security_admin
manage.py grant_system_role someone@example.cn none
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sciday.accounts.models import SystemRole, User
from sciday.accounts.services import user_grant_system_role
from sciday.core.errors import DomainError

CHOICES = {"none": SystemRole.NONE, **{v: v for v in SystemRole.values if v}}


class Command(BaseCommand):
    help = "Give a person one of the system roles (system_admin, auditor, security_admin) or none."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", choices=sorted(CHOICES))

    def handle(self, *args, email: str, role: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email}.")
        try:
            user_grant_system_role(user=user, role=CHOICES[role])
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        label = SystemRole(CHOICES[role]).label
        self.stdout.write(self.style.SUCCESS(f"{user.email}: {label}"))
        if CHOICES[role]:
            self.stdout.write("They must set up an authenticator app (TOTP) at their next sign-in.")
