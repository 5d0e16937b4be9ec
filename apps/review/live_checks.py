"""Wording of the live checks in static/js/review.js, translated on the server.

Shared by the review screen and the listing editor, which use the same script; {n}, {max}, {t}
and {c} are filled in by the script.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def live_check_messages() -> dict[str, str]:
    """The messages, in the active language."""
    return {
        "chars": _("{n} / {max} characters"),
        "chars_nolimit": _("{n} characters"),
        "bytes": _("{n} / {max} bytes (UTF-8)"),
        "bytes_info": _("{n} bytes (UTF-8)"),
        "over": _("over the limit"),
        "required": _("The title is empty."),
        "banned": _("“{t}” is a claim marketplaces refuse."),
        "forbidden": _("Characters not allowed in titles: {c}"),
        "bullets_count": _("{n} bullets; the limit is {max}."),
        "price": _("The price must be a positive amount."),
        "mobile": _("Titles over {max} characters are cut on mobile."),
        "ok": _("No problems found."),
    }
