from rest_framework.routers import SimpleRouter

from . import api

app_name = "review_api"

router = SimpleRouter()
router.register("drafts", api.DraftViewSet, basename="draft")
router.register("policies", api.PolicyViewSet, basename="policy")

urlpatterns = router.urls
