from rest_framework.routers import SimpleRouter

from . import api

app_name = "ads_api"

router = SimpleRouter()
router.register("ads/campaigns", api.CampaignViewSet, basename="ads-campaign")
router.register("ads/search-terms", api.SearchTermMetricsViewSet, basename="ads-search-term")
router.register("ads/recommendations", api.RecommendationViewSet, basename="ads-recommendation")
router.register("ads/reports", api.ReportUploadViewSet, basename="ads-report")
router.register("ads/bulk-file", api.BulkFileViewSet, basename="ads-bulk-file")

urlpatterns = router.urls
