from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "apps.ads"
    label = "ads"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from apps.core.jobs import JobLink, job_kind_register
        from apps.review import display as review_display

        from . import drafts, generation, translation
        from .import_jobs import JOB_KIND as IMPORT_JOB_KIND
        from .reasons import EVIDENCE_LABELS, REASON_KIND, rationale_label
        from .tasks import JOB_KIND

        def to_queue(job, request):
            yield JobLink(_("See the recommendations"), reverse("ads:recommendations"), "ads-recs")

        job_kind_register(
            JOB_KIND,
            label=_("Ads recommendations"),
            links=to_queue,
            result_template="ads/_run_job_result.html",
        )

        def to_imports(job, request):
            yield JobLink(_("Import history"), reverse("ads:imports"), "ads-imports")
            yield JobLink(_("Search terms"), reverse("ads:search_terms"), "ads-terms")

        job_kind_register(
            IMPORT_JOB_KIND,
            label=_("Search-term report import"),
            links=to_imports,
            result_template="ads/_import_job_result.html",
        )
        translation.register()
        drafts.register_kind()
        generation.register_kinds()
        review_display.register_labels(EVIDENCE_LABELS)
        review_display.register_rationale(rationale_label)
        review_display.hide_evidence(REASON_KIND)  # said by the rationale
