from rest_framework.routers import SimpleRouter

from . import api

app_name = "analytics_api"

router = SimpleRouter()
router.register("analytics/profit", api.ProfitViewSet, basename="profit")
router.register("analytics/traffic", api.TrafficViewSet, basename="traffic")
router.register("analytics/candidates", api.CandidateViewSet, basename="candidate")

urlpatterns = router.urls
