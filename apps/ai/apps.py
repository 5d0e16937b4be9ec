from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _title(job) -> str:
    """ "Listing content: 24 drafts", in the reader's language (the stored label is the
    starter's)."""
    from django.utils.translation import ngettext

    from .registry import find_generation_kind

    spec = find_generation_kind(str((job.result or {}).get("kind", "")))
    what = spec.label if spec is not None else _("AI drafts")
    return ngettext("%(what)s: %(n)d draft", "%(what)s: %(n)d drafts", job.total) % {
        "what": what,
        "n": job.total,
    }


class AiConfig(AppConfig):
    name = "apps.ai"
    label = "ai"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.core.jobs import JobLink, job_kind_register

        from .registry import DEFAULT_JOB_KIND

        def queue(job, request):
            yield JobLink(_("Open the review queue"), reverse("review:index"), "review-queue")

        job_kind_register(
            DEFAULT_JOB_KIND, label=_("AI drafts"), cancellable=True, links=queue, title=_title
        )
