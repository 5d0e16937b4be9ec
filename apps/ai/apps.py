from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AiConfig(AppConfig):
    name = "apps.ai"
    label = "ai"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.core.jobs import JobLink, job_kind_register

        from .registry import DEFAULT_JOB_KIND

        def queue(job, request):
            yield JobLink(_("Open the review queue"), reverse("review:index"), "review-queue")

        job_kind_register(DEFAULT_JOB_KIND, label=_("AI drafts"), cancellable=True, links=queue)
