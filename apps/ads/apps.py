from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "apps.ads"
    label = "ads"

    def ready(self) -> None:
        from apps.review import display as review_display

        from . import drafts, generation
        from .reasons import EVIDENCE_LABELS, rationale_label

        drafts.register_kind()
        generation.register_kinds()
        review_display.register_labels(EVIDENCE_LABELS)
        review_display.register_rationale(rationale_label)
