from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.analytics.views import overview
from apps.core import urls as core_urls
from apps.core.api import api_not_found
from apps.core.views import healthz

api_v1 = [
    path("", include("apps.catalog.api_urls")),
    path("", include("apps.orders.api_urls")),
    path("", include("apps.core.api_urls")),
    path("", include("apps.review.api_urls")),
    path("", include("apps.pricing.api_urls")),
    path("", include("apps.integrations.api_urls")),
    path("", include("apps.analytics.api_urls")),
    path("", include("apps.support.api_urls")),
    path("", include("apps.logistics.api_urls")),
    path("", include("apps.ads.api_urls")),
]

# The dashboard's namespace: core's job pages plus the overview, which is analytics's page (it
# reads every domain app) but keeps its historic name `dashboard:overview` and the URL `/`.
dashboard = (
    [path("", overview, name="overview"), *core_urls.urlpatterns],
    core_urls.app_name,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),  # after every API route: unknown API URLs, problem+json
    path("accounts/", include("apps.accounts.urls")),
    path("catalog/", include("apps.catalog.urls")),
    path("exports/", include("apps.catalog.exports.urls")),
    path("orders/", include("apps.orders.urls")),
    path("review/", include("apps.review.urls")),
    path("pricing/", include("apps.pricing.urls")),
    path("ads/", include("apps.ads.urls")),
    path("support/", include("apps.support.urls")),
    path("logistics/", include("apps.logistics.urls")),
    path("analytics/", include("apps.analytics.urls")),
    path("imports/", include("apps.integrations.urls")),
    path("", include(dashboard)),
]
