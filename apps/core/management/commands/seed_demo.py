"""`manage.py seed_demo`: load the demo organizations and everything they own.

Idempotent: running it twice creates nothing twice (each app's demo module keys its rows on
natural keys and dates them from a "now" frozen at the first run; see apps/core/demo.py and
apps/accounts/demo.py). `--reset` deletes the demo organizations first, which re-dates the
demo to today.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import BaseCommand

from apps.accounts.demo import ORGANIZATIONS
from apps.accounts.models import Membership
from apps.core.demo import DEFAULT_SEED, demo_modules, seed_demo
from apps.core.models import TenantModel
from apps.core.tenancy import unscoped


class Command(BaseCommand):
    help = "Load deterministic demo data (idempotent); --reset starts the demo afresh."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="random seed (to change it on an existing demo, add --reset)",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo organizations first"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="fail on the first seeder error instead of skipping that app's demo",
        )

    def handle(self, *args, seed: int, reset: bool, strict: bool = False, **options):
        started = time.monotonic()
        strict = strict or getattr(settings, "DEMO_SEED_STRICT", False)
        with unscoped():
            before = self._counts()
            ctx = seed_demo(seed=seed, reset=reset, strict=strict)
            after = self._counts()
        for label, why in ctx.failures.items():
            self.stderr.write(
                f"Skipped the {label} demo data (the demo was changed since it was seeded; "
                f"`manage.py seed_demo --reset` starts it afresh): {why}"
            )
        apps_seeded = ", ".join(m.__name__.split(".")[-2] for m in demo_modules())
        self.stdout.write(
            f"Seeded {apps_seeded} in {time.monotonic() - started:.1f} s "
            f"(demo dated up to {ctx.today})."
        )
        self.stdout.write(f"Rows of {', '.join(ORGANIZATIONS)} (created this run):")
        for name, count in after.items():
            if count:
                self.stdout.write(f"  {name:<28} {count:>7}  (+{count - before.get(name, 0)})")
        self.stdout.write(
            f"\nDemo log-ins (password for all: {next(iter(ctx.passwords.values()), '')}):"
        )
        for username, user in ctx.users.items():
            roles = ", ".join(
                f"{m.role} of {m.organization.slug}"
                for m in user.memberships.select_related("organization").order_by(
                    "organization__slug"
                )
            )
            admin = "superuser, Django admin; " if user.is_superuser else ""
            self.stdout.write(f"  {username:<10} {admin}{roles}")

    def _counts(self) -> dict[str, int]:
        """Rows the demo owns: tenant rows of the demo organizations, their memberships, and
        the public rows (organization NULL, e.g. exchange rates) of models whose organization is
        optional. Found through the app registry: core names no domain app."""
        orgs = {"organization__slug__in": list(ORGANIZATIONS)}
        counts = {"accounts.Membership": Membership.objects.filter(**orgs).count()}
        for model in apps.get_models():
            if issubclass(model, TenantModel):
                counts[model._meta.label] = model._default_manager.filter(**orgs).count()
            elif _has_optional_organization(model):
                public = model._default_manager.filter(organization__isnull=True).count()
                counts[f"{model._meta.label} (public)"] = public
        return counts


def _has_optional_organization(model) -> bool:
    try:
        field = model._meta.get_field("organization")
    except FieldDoesNotExist:
        return False
    return bool(field.null) and field.is_relation
