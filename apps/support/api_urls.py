from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, api_settings
from .b2b import api as b2b_api

app_name = "support_api"

router = SimpleRouter()
router.register("support/conversations", api.ConversationViewSet, basename="support-conversation")
router.register("support/inbound-mail", api.InboundMailViewSet, basename="support-inbound")
router.register("support/attachments", api.AttachmentViewSet, basename="support-attachment")
router.register("support/articles", api.KnowledgeArticleViewSet, basename="support-article")
router.register("support/macros", api.MacroViewSet, basename="support-macro")
router.register("support/mailboxes", api_settings.MailboxViewSet, basename="support-mailbox")

router.register("support/b2b/inquiries", b2b_api.InquiryViewSet, basename="support-b2b-inquiry")
router.register(
    "support/b2b/quotations", b2b_api.QuotationViewSet, basename="support-b2b-quotation"
)

urlpatterns = [
    path(
        "support/sla-settings/",
        api_settings.SlaSettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="support-sla-settings",
    ),
    path(
        "support/b2b/terms/",
        b2b_api.TermsViewSet.as_view({"get": "current", "put": "replace"}),
        name="support-b2b-terms",
    ),
    *router.urls,
]
