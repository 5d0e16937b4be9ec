"""REST API of the listing studio: generate listings for products × stores, translate a
listing, import and read a product's customer reviews and what mining found in them.

Generation and translation answer 202 with the job (poll /api/v1/jobs/<id>/); the drafts are
read at /api/v1/drafts/. Ids of other organizations' rows answer 404 like ids nobody has.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.catalog.buyer_reviews.imports import product_reviews_import
from apps.catalog.buyer_reviews.mining import review_insight_get
from apps.catalog.buyer_reviews.models import ProductReview, ReviewInsight
from apps.catalog.content import studio
from apps.catalog.models import Listing, Product
from apps.core.api import TenantViewSet, request_actor
from apps.core.api_urls import JobSerializer
from apps.core.bounds import IdField
from apps.core.parsers import BoundedJSONParser


class GenerateInput(serializers.Serializer):
    product_ids = serializers.ListField(child=IdField(), min_length=1, max_length=10_000)
    store_ids = serializers.ListField(child=IdField(), min_length=1, max_length=1_000)
    # Listings whose copy already scores at the quality threshold are skipped unless true.
    include_good = serializers.BooleanField(required=False, default=False)


class TranslateInput(serializers.Serializer):
    store_ids = serializers.ListField(child=IdField(), min_length=1, max_length=1_000)


class ReviewUploadInput(serializers.Serializer):
    file = serializers.FileField()


class ProductReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductReview
        fields = ["id", "rating", "title", "text", "date", "source", "language", "created_at"]


class ReviewInsightSerializer(serializers.ModelSerializer):
    # null while no review was mined yet (the same shape, so clients read one schema)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ReviewInsight
        fields = ["product", "review_count", "average_rating", "by_rating", "praised",
                  "complaints", "updated_at"]  # fmt: skip


class ListingStudioViewSet(TenantViewSet):
    """POST listings/generate/ and listings/{id}/translate/."""

    queryset = Listing.objects.none()
    serializer_class = GenerateInput

    @extend_schema(request=GenerateInput, responses={202: JobSerializer})
    def generate(self, request):
        data = self._valid(GenerateInput, request)
        job = studio.listings_generate(org=self.org, actor=request_actor(request), **data)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=TranslateInput, responses={202: JobSerializer})
    def translate(self, request, pk=None):
        listing = self.get_object()
        data = self._valid(TranslateInput, request)
        job = studio.listing_translate(org=self.org, actor=request_actor(request),
                                       listing=listing, store_ids=data["store_ids"])  # fmt: skip
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    def scope_queryset(self, queryset):
        return queryset.select_related("product", "store__marketplace")

    def _valid(self, serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ProductReviewViewSet(TenantViewSet):
    """GET/POST products/{id}/reviews/ (latest 100; upload a CSV, TSV or XLSX file) and
    GET products/{id}/review-insights/."""

    queryset = Product.objects.none()
    serializer_class = ProductReviewSerializer
    pagination_class = None  # the latest 100, as a plain list (and so documented)
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(responses=ProductReviewSerializer(many=True))
    def list_reviews(self, request, pk=None):
        product = self.get_object()
        rows = ProductReview.objects.for_org(self.org).filter(product=product)[:100]
        return Response(ProductReviewSerializer(rows, many=True).data)

    @extend_schema(request={"multipart/form-data": ReviewUploadInput}, responses={200: dict})
    def upload(self, request, pk=None):
        product = self.get_object()
        serializer = ReviewUploadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        result = product_reviews_import(org=self.org, actor=request_actor(request),
                                        data=upload, filename=upload.name,
                                        product=product)  # fmt: skip
        return Response(result.as_dict())

    @extend_schema(responses=ReviewInsightSerializer)
    def insights(self, request, pk=None):
        product = self.get_object()
        insight = review_insight_get(org=self.org, product_id=product.pk)
        if insight is None:
            return Response({"product": product.pk, "review_count": 0, "average_rating": None,
                             "by_rating": {}, "praised": [], "complaints": [],
                             "updated_at": None})  # fmt: skip
        return Response(ReviewInsightSerializer(insight).data)
