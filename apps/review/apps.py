from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _bulk_title(job) -> str:
    """ "Bulk approval of 12 drafts" in the reader's language (bulk.py stores it in English)."""
    import re

    from django.utils.translation import ngettext

    match = re.match(r"^Bulk (approve|reject) of (\d+) drafts$", job.label or "")
    if match is None:
        return ""
    n = int(match[2])
    if match[1] == "approve":
        return ngettext("Bulk approval of %(n)d draft", "Bulk approval of %(n)d drafts", n) % {
            "n": n
        }
    return ngettext("Bulk rejection of %(n)d draft", "Bulk rejection of %(n)d drafts", n) % {"n": n}


class ReviewConfig(AppConfig):
    name = "apps.review"
    label = "review"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.core.jobs import JobLink, job_kind_register

        def back_to_queue(job, request):
            # The bulk view sends the queue's filter along (?kind=…): return to the same view.
            query = request.GET.urlencode()
            url = reverse("review:index") + (f"?{query}" if query else "")
            yield JobLink(_("Back to the queue"), url, "back-to-queue")

        job_kind_register(
            "review.bulk",
            label=_("Bulk decision"),
            cancellable=True,
            links=back_to_queue,
            title=_bulk_title,
        )
