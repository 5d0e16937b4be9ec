"""Wording of the generic live checks in static/js/review.js, translated on the server.

Shared by the review screen and the listing editor, which use the same script; {n}, {max}, {t}
and {c} are filled in by the script. The wording of a kind's own checks (a title's forbidden
characters, …) comes with the kind's client rules under "messages" and is merged over these.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def live_check_messages(kind_messages: dict[str, str] | None = None) -> dict[str, str]:
    """The messages, in the active language, with a kind's own wording merged over them."""
    return {
        "chars": _("{n} / {max} characters"),
        "chars_nolimit": _("{n} characters"),
        "bytes": _("{n} / {max} bytes (UTF-8)"),
        "bytes_info": _("{n} bytes (UTF-8)"),
        "over": _("over the limit"),
        "amount": _("The amount must be more than zero."),
        "whole": _("Enter a whole number."),
        "ok": _("No problems found."),
        **(kind_messages or {}),
    }
