from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "apps.review"
    label = "review"

    def ready(self) -> None:
        from apps.core.services import job_kind_cancellable

        job_kind_cancellable("review.bulk")
