from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "apps.ai"
    label = "ai"

    def ready(self) -> None:
        from apps.core.services import job_kind_cancellable

        from .services import JOB_KIND

        job_kind_cancellable(JOB_KIND)
