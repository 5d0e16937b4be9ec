from rest_framework.routers import SimpleRouter

from . import api

app_name = "support_api"

router = SimpleRouter()
router.register("support/conversations", api.ConversationViewSet, basename="support-conversation")
router.register("support/inbound-mail", api.InboundMailViewSet, basename="support-inbound")
router.register("support/attachments", api.AttachmentViewSet, basename="support-attachment")
router.register("support/articles", api.KnowledgeArticleViewSet, basename="support-article")

urlpatterns = router.urls
