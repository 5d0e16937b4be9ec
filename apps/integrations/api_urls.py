from rest_framework.routers import SimpleRouter

from . import api

app_name = "integrations_api"

router = SimpleRouter()
router.register("webhooks", api.WebhookSubscriptionViewSet, basename="webhook")
router.register("webhook-deliveries", api.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
