"""Demo organizations, users and memberships.

`demo` is a Shenzhen consumer-electronics brand; `demo-home` a small homeware seller that the
demo manager also belongs to, so the organization switcher has something to switch to. Its name
sorts after the main one on purpose: a user lands in their first organization by name.

The demo's "now" is frozen at the moment the `demo` organization was first created (its
`created_at`): every app dates its demo rows relative to `ctx.now`, so running the seeder again
on a later day finds the same natural keys and creates nothing. `seed_demo --reset` deletes the
demo organizations (and, by cascade, everything they own) to re-anchor the data to today.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from .models import Organization, Role
from .services import membership_set

DEMO_PASSWORD = "demo12345"

ORGANIZATIONS = {
    "demo": {
        "name": "Shenzhen Voltora Electronics Co., Ltd.",
        "default_currency": "USD",
        "timezone": "Asia/Shanghai",
    },
    "demo-home": {
        "name": "Yiwu Hearthly Homeware Co., Ltd.",
        "default_currency": "USD",
        "timezone": "Asia/Shanghai",
    },
}

# username, first name, last name, staff/superuser, {org slug: role}
USERS: list[tuple[str, str, str, bool, dict[str, str]]] = [
    ("owner", "Wei", "Chen", False, {"demo": Role.OWNER}),
    ("manager", "Na", "Li", False, {"demo": Role.MANAGER, "demo-home": Role.MANAGER}),
    ("reviewer", "Min", "Zhang", False, {"demo": Role.REVIEWER}),
    ("viewer", "Sophie", "Becker", False, {"demo": Role.VIEWER}),
    ("homeowner", "Fang", "Wang", False, {"demo-home": Role.OWNER}),
    ("admin", "Site", "Admin", True, {"demo": Role.OWNER}),
]


def seed(ctx) -> None:
    for slug, fields in ORGANIZATIONS.items():
        org, _ = Organization.objects.get_or_create(slug=slug, defaults=fields)
        ctx.orgs[slug] = org
    ctx.now = ctx.orgs["demo"].created_at

    User = get_user_model()
    password_hash = None  # hashing is slow on purpose: do it once, and only for new users
    for username, first, last, is_admin, roles in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@voltora.example",
                password=password_hash,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
        # Existing users keep their password and names: the demo never undoes a user's edits.
        ctx.users[username] = user
        ctx.passwords[username] = DEMO_PASSWORD
        for slug, role in roles.items():
            membership_set(org=ctx.orgs[slug], user=user, role=role)


def reset(ctx) -> None:
    """Delete the demo organizations; their tenant rows go with them (CASCADE)."""
    Organization.objects.filter(slug__in=ORGANIZATIONS).delete()
