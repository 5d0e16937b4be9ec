"""`manage.py create_api_key ORG_SLUG [--name N] [--role R]`: issue a key and print it once.

The raw key is the last line of stdout, alone, so scripts can take it with `tail -n 1`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organization, Role
from apps.accounts.services import api_key_issue


class Command(BaseCommand):
    help = "Create an API key for an organization and print it (it is shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("org_slug", help="Slug of the organization, e.g. demo")
        parser.add_argument("--name", default="cli", help="A label to tell keys apart")
        parser.add_argument(
            "--role",
            default=Role.MANAGER,
            choices=Role.values,
            help="Role the key acts with (default: manager)",
        )

    def handle(self, *args, org_slug: str, name: str, role: str, **options) -> None:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            known = ", ".join(Organization.objects.values_list("slug", flat=True)[:10]) or "none"
            raise CommandError(f"No organization with slug {org_slug!r} (known: {known}).")
        issued = api_key_issue(org=org, name=name, role=role)
        self.stderr.write(
            f"Created API key {name!r} ({issued.api_key.prefix}…) for {org.name} "
            f"with role {role}. Store it now: it cannot be shown again. "
            "Send it as `Authorization: Bearer <key>`."
        )
        self.stdout.write(issued.raw_key)
