from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
            "review.bulk", label=_("Bulk decision"), cancellable=True, links=back_to_queue
        )
