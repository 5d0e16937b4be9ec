"""Each request leaves its tenant scope, even when its view raises; TenantViewSet's guard rails.

A scope left behind would run the thread's next request (another user, maybe another
organization) with the first organization's filter silently applied.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse, JsonResponse
from django.test import Client
from django.urls import include, path
from rest_framework import mixins, permissions
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from apps.catalog.models import Product
from apps.core.api import TenantViewSet
from apps.core.permissions import HasActiveOrganization
from apps.core.tenancy import TenantScopeError, active_org
from tests.factories import ProductFactory


class Boom(Exception):
    """A bug in a view: not an API error DRF would turn into a response."""


class ExplodingViewSet(mixins.ListModelMixin, TenantViewSet):
    queryset = Product.objects.none()

    def list(self, request, *args, **kwargs):
        assert active_org() is not None  # inside the scope
        raise Boom("inside the scope")


def exploding_page(request):
    assert active_org() == request.org
    raise Boom("inside the scope")


def probe(request):
    """What the next request on the thread finds: no organization, tenant queries refused."""
    try:
        Product.objects.count()
        refused = False
    except TenantScopeError:
        refused = True
    return JsonResponse({"active_org": repr(active_org()), "refused": refused})


router = SimpleRouter()
router.register("boom", ExplodingViewSet, basename="boom")
urlpatterns = [
    path("page/", exploding_page),
    path("probe/", probe),
    path("ok/", lambda request: HttpResponse("ok")),
    path("api/", include(router.urls)),
]


def _assert_no_scope_left(client: Client) -> None:
    assert active_org() is None  # the test client runs the request on this very thread
    with pytest.raises(TenantScopeError):
        Product.objects.count()
    assert client.get("/probe/").json() == {"active_org": "None", "refused": True}


@pytest.mark.urls("tests.core.test_request_scope")
def test_an_api_view_that_raises_leaves_no_scope_for_the_next_request(org, api_client):
    ProductFactory(organization=org)
    api_client.raise_request_exception = True
    with pytest.raises(Boom):
        api_client.get("/api/boom/")
    _assert_no_scope_left(APIClient())


@pytest.mark.urls("tests.core.test_request_scope")
def test_a_dashboard_view_that_raises_leaves_no_scope_for_the_next_request(org, user, client_for):
    ProductFactory(organization=org)
    client = client_for(user)
    with pytest.raises(Boom):
        client.get("/page/")
    response = client_for(user).get("/ok/")  # a normal request in between still works
    assert response.status_code == 200
    _assert_no_scope_left(Client())


@pytest.mark.urls("tests.core.test_request_scope")
def test_an_api_error_response_also_leaves_the_scope(org, api_client):
    api_client.raise_request_exception = False
    assert api_client.get("/api/boom/").status_code == 500
    _assert_no_scope_left(APIClient())


def test_a_viewset_cannot_override_get_object():
    with pytest.raises(TypeError, match="must not override get_object"):

        class Leaky(TenantViewSet):
            queryset = Product.objects.none()

            def get_object(self):
                return Product.objects.unscoped().get(pk=self.kwargs["pk"])


def test_a_viewset_cannot_override_get_queryset():
    with pytest.raises(TypeError, match="must not override get_queryset"):

        class Leaky(TenantViewSet):
            queryset = Product.objects.none()

            def get_queryset(self):
                return Product.objects.unscoped()


@pytest.mark.parametrize(
    "classes",
    [[], [permissions.AllowAny], [permissions.IsAuthenticated | HasActiveOrganization]],
    ids=["none", "allow-any", "or-composed"],
)
def test_a_viewset_cannot_drop_the_organization_permission(classes):
    with pytest.raises(TypeError, match="drops HasActiveOrganization"):

        class Open(TenantViewSet):
            queryset = Product.objects.none()
            permission_classes = classes


def test_a_viewset_may_add_permissions_to_the_organization_one():
    class Stricter(TenantViewSet):
        queryset = Product.objects.none()
        permission_classes = [HasActiveOrganization, permissions.IsAdminUser]

    class Composed(TenantViewSet):
        queryset = Product.objects.none()
        permission_classes = [permissions.IsAdminUser & HasActiveOrganization]

    assert Stricter.permission_classes[0] is HasActiveOrganization
    assert TenantViewSet.permission_classes == [HasActiveOrganization]
