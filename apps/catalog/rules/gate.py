"""The one rules gate of every write of listing copy: the API (create, PATCH, PUT), the listing
editor, draft apply and any import go through `listing_copy_check` (services call it), so no
path accepts a title the dashboard refuses.

Only the fields a write changes are judged: a rule error already in the description must not
block a price-only edit or a fix of the title (the editor shows the old error; the next write of
the description must fix it). Errors refuse the write with their rule ids (problem+json
`rules`); warnings never do.
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext as _

from apps.catalog.rules.checks import validate_listing
from apps.core.errors import ValidationFailed

CONTENT_FIELDS = ("title", "bullets", "description", "search_terms")


class RuleViolation(ValidationFailed):
    title = "Rule violation"

    def __init__(self, checks: list):
        self.checks = checks
        first = checks[0]
        message = _("The copy breaks the marketplace's rules: %(problems)s") % {
            "problems": " ".join(str(c.message) for c in checks)
        }
        super().__init__(
            message,
            field=first.field or None,
            code="rule_violation",
            extra={"rules": [c.as_dict() for c in checks]},
        )


def copy_errors(*, listing, content: dict, changed: Collection[str]) -> list:
    """The error-level checks of `content` (the listing's copy after the write) that concern a
    changed field, or the whole copy (field "")."""
    touched = {name for name in changed if name in CONTENT_FIELDS}
    if not touched:
        return []
    checks = validate_listing(
        marketplace=listing.store.marketplace,
        payload={name: content.get(name, getattr(listing, name)) for name in CONTENT_FIELDS},
        org=listing.organization_id,
        language=content.get("language") or listing.language,
    )
    return [c for c in checks if c.severity == "error" and (not c.field or c.field in touched)]


def listing_copy_check(*, listing, content: dict, changed: Collection[str]) -> None:
    """Refuse (RuleViolation, a 400) a write whose changed copy breaks an error-level rule."""
    errors = copy_errors(listing=listing, content=content, changed=changed)
    if errors:
        raise RuleViolation(errors)
