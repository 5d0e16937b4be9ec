"""API of the marketplace rules: the stateless validate endpoint ERPs call before publishing,
a listing's current rule results, and the organization's protected brand names."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.content.facts import fact_sheet
from apps.catalog.models import Marketplace, Product, ProtectedTerm
from apps.catalog.rules import services
from apps.catalog.rules.checks import rules_version, validate_listing
from apps.core.api import TenantViewSet
from apps.core.bounds import CodeRelatedField


class CheckSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField(help_text="In the caller's language (Accept-Language).")
    message_en = serializers.CharField()
    message_zh = serializers.CharField()
    field = serializers.CharField(allow_blank=True)
    rule_version = serializers.IntegerField()
    rules_version = serializers.CharField()
    item = serializers.IntegerField(required=False, allow_null=True, help_text="Bullet index")
    start = serializers.IntegerField(required=False, help_text="Span of the claim or term")
    end = serializers.IntegerField(required=False)
    claim = serializers.CharField(required=False)


class ChecksResultSerializer(serializers.Serializer):
    marketplace = serializers.CharField()
    rules_version = serializers.CharField()
    valid = serializers.BooleanField(help_text="No errors (warnings do not block).")
    checks = CheckSerializer(many=True)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class OrgProductField(serializers.PrimaryKeyRelatedField):
    """A product id among the caller's organization's only: a foreign id "does not exist" (400),
    exactly like an id nobody has."""

    def get_queryset(self):
        return Product.objects.for_org(self.context["org"])


class ValidateInputSerializer(serializers.Serializer):
    marketplace = CodeRelatedField(
        slug_field="code", queryset=Marketplace.objects.filter(is_active=True)
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    bullets = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=5000),
        required=False,
        max_length=20,
        default=list,
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=50000, default=""
    )
    search_terms = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default=""
    )
    language = serializers.CharField(
        required=False, max_length=10, help_text="Defaults to the marketplace's language."
    )
    product = OrgProductField(
        queryset=Product.objects.none(),
        required=False,
        allow_null=True,
        help_text="One of your products: its facts ground the text's claims.",
    )
    confirmed_claims = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=200
    )


def result(marketplace, checks) -> dict:
    return {
        "marketplace": marketplace.code,
        "rules_version": rules_version(marketplace),
        "valid": not any(c.severity == "error" for c in checks),
        "checks": [c.as_dict() for c in checks],
    }


class ListingValidateViewSet(TenantViewSet):
    """POST /api/v1/listings/validate/: check listing text against a marketplace's rules (and,
    given a product, ground its claims) without storing anything. Any role may call it."""

    queryset = Product.objects.none()
    write_role = "viewer"  # stateless: nothing is written

    @extend_schema(request=ValidateInputSerializer, responses=ChecksResultSerializer)
    def create(self, request):
        serializer = ValidateInputSerializer(data=request.data, context={"org": self.org})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        marketplace, product = data["marketplace"], data.get("product")
        payload = {k: data[k] for k in ("title", "bullets", "description", "search_terms")}
        if product is not None:
            payload["confirmed_claims"] = data["confirmed_claims"]
        checks = validate_listing(
            marketplace=marketplace,
            payload=payload,
            org=self.org,
            facts=fact_sheet(product) if product is not None else None,
            language=data.get("language") or marketplace.language,
        )
        return Response(result(marketplace, checks), status=status.HTTP_200_OK)


def listing_checks(listing) -> dict:
    """A listing's current copy against its marketplace's rules, with its product's facts."""
    marketplace = listing.store.marketplace
    payload = {f: getattr(listing, f) for f in ("title", "bullets", "description", "search_terms")}
    checks = validate_listing(
        marketplace=marketplace,
        payload=payload,
        org=listing.organization_id,
        facts=fact_sheet(listing.product),
        language=listing.language,
    )
    return result(marketplace, checks)


class ProtectedTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProtectedTerm
        fields = ["id", "term", "note", "created_at"]
        read_only_fields = ["id", "created_at"]


class ProtectedTermViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """Your organization's protected brand names (competitors' trademarks): copy that uses one
    fails the `protected_term` rule. Managers maintain the list."""

    queryset = ProtectedTerm.objects.none()
    serializer_class = ProtectedTermSerializer

    def create(self, request):
        serializer = ProtectedTermSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        term = services.protected_term_create(
            org=self.org, actor=request.user, **serializer.validated_data
        )
        return Response(ProtectedTermSerializer(term).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.protected_term_delete(org=self.org, actor=self.request.user, term_id=instance.pk)
