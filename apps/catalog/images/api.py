"""REST API of a listing's images, as on the listing page:

    POST listings/{id}/images/        multipart `image` (PNG, JPEG or WebP, at most 25 MB, read
                                      by Pillow): stored under the organization's image folder
                                      and added to the listing's product images -> 201
    POST listings/{id}/images/draft/  {"what": "fix_main" | "selling_points"}: the main image
                                      auto-fixed, or a selling-point image, as a listing_image
                                      draft in the review queue -> 201 with the draft

Both call the services the dashboard calls. Another organization's listing is a 404.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.catalog.models import Listing
from apps.core.api import TenantViewSet, request_actor
from apps.core.parsers import BoundedJSONParser
from apps.review.api import DraftSerializer

from . import services


class ListingImageUploadInput(serializers.Serializer):
    image = serializers.FileField(
        max_length=200, help_text="PNG, JPEG or WebP, at most 25 MB (the file name: 200 chars)"
    )


class ListingImageUploadResult(serializers.Serializer):
    path = serializers.CharField(help_text="storage path of the stored image")
    product = serializers.IntegerField()
    images = serializers.ListField(
        child=serializers.CharField(), help_text="the product's images after the upload"
    )


class ListingImageDraftInput(serializers.Serializer):
    what = serializers.ChoiceField(
        choices=["fix_main", "selling_points"],
        default="fix_main",
        help_text="fix_main: the main image on a white background at the marketplace's size; "
        "selling_points: the product with callouts from its facts",
    )


class _ListingImages(TenantViewSet):
    queryset = Listing.objects.none()

    def scope_queryset(self, queryset):
        return queryset.select_related("product", "store__marketplace")


class ListingImageUploadViewSet(_ListingImages):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ListingImageUploadInput},
        responses={201: ListingImageUploadResult},
    )
    def upload(self, request, pk=None):
        listing = self.get_object()
        data = ListingImageUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        services.image_upload_size_check(upload.size)
        path = services.product_image_upload(
            org=self.org,
            actor=request_actor(request),
            product=listing.product,
            data=upload.read(services.UPLOAD_MAX_BYTES + 1),
        )
        listing.product.refresh_from_db(fields=["images"])
        body = {"path": path, "product": listing.product_id, "images": listing.product.images}
        return Response(body, status=status.HTTP_201_CREATED)


class ListingImageDraftViewSet(_ListingImages):
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=ListingImageDraftInput, responses={201: DraftSerializer})
    def draft(self, request, pk=None):
        listing = self.get_object()
        data = ListingImageDraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        make = (
            services.listing_selling_image_draft
            if data.validated_data["what"] == "selling_points"
            else services.listing_image_fix_draft
        )
        draft = make(org=self.org, actor=request_actor(request), listing=listing)
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)
