from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "apps.support"
    label = "support"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from apps.support import generation

        generation.register()  # the cs_reply generation kind and review-queue draft kind
        from apps.support import translation, understanding_llm

        understanding_llm.register()  # cs_understanding: translation, intent, sentiment by a model
        translation.register()  # cs_reply_translation: an operator's Chinese reply, translated
        from apps.support.b2b import generation as b2b_generation

        b2b_generation.register()  # b2b_quotation (issue 12 item 3)

        from apps.catalog.readiness.inputs import question_source_register
        from apps.support.selectors import product_questions

        question_source_register(product_questions)  # AI-search readiness counts inbox questions
