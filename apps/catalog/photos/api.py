"""REST API of product photos, facts from photos, cut-out images and AI-search readiness.

    GET/POST products/{id}/photos/        list / upload (multipart: image, role)
    GET      photos/{id}/                 one photo
    POST     products/{id}/photo-facts/   read facts from the photos: 202 with the job; the
                                          draft (kind product_facts) is approved fact by fact
                                          with POST drafts/{id}/approve/ {"payload":
                                          {"accepted": ["brand", "gtin"]}}
    POST     photos/{id}/images/          {"listing", "what": "main"|"scene"|"generated",
                                          "background", "setting"} -> 201 with the
                                          listing_image draft ("generated": synchronous,
                                          a failed draft when the endpoint fails; 409
                                          without an image endpoint)
    GET      listings/{id}/readiness/     score, parts, missing items, buyer questions
    POST     listings/{id}/readiness/proposal/   improved copy as a listing_content draft
    GET      readiness/                   score distribution per store

Another organization's ids answer 404 like ids nobody has.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.catalog.models import Listing, Product
from apps.catalog.photos import services
from apps.catalog.photos.models import ProductPhoto
from apps.core.api import TenantViewSet, request_actor
from apps.core.api_urls import JobSerializer
from apps.core.bounds import IdField
from apps.core.errors import NotFound
from apps.core.parsers import BoundedJSONParser
from apps.review.api import DraftSerializer


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductPhoto
        fields = ["id", "product", "role", "path", "width", "height", "size_bytes", "created_at"]
        read_only_fields = fields


class PhotoUploadInput(serializers.Serializer):
    image = serializers.FileField(max_length=200)
    role = serializers.ChoiceField(choices=ProductPhoto.Role.choices, default="product")


class ImageDraftInput(serializers.Serializer):
    listing = IdField()
    what = serializers.ChoiceField(choices=["main", "scene", "generated"], default="main")
    background = IdField(required=False, allow_null=True)
    setting = serializers.ChoiceField(
        choices=["kitchen", "desk", "living_room", "outdoor", "studio"],
        required=False,
        help_text="generated: the scene's setting (a fixed list)",
    )


class ProductPhotosViewSet(TenantViewSet):
    queryset = Product.objects.none()
    serializer_class = PhotoSerializer
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(responses=PhotoSerializer(many=True))
    def list_photos(self, request, pk=None):
        product = self.get_object()
        rows = ProductPhoto.objects.for_org(self.org).filter(product=product)[:100]
        return Response(PhotoSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadInput}, responses={201: PhotoSerializer}
    )
    def upload(self, request, pk=None):
        product = self.get_object()
        data = PhotoUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        if upload.size > services.PHOTO_MAX_BYTES:
            services.photo_read(b"x" * (services.PHOTO_MAX_BYTES + 1))  # the same clear error
        photo = services.photo_upload(
            org=self.org,
            actor=request_actor(request),
            product=product,
            data=upload.read(),
            role=data.validated_data["role"],
        )
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: JobSerializer})
    def facts(self, request, pk=None):
        from apps.ai.services import generation_start

        product = self.get_object()
        job = generation_start(
            org=self.org, actor=request_actor(request), kind="photo_facts", target_ids=[product.pk]
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class PhotoViewSet(TenantViewSet):
    queryset = ProductPhoto.objects.none()
    serializer_class = PhotoSerializer
    parser_classes = [BoundedJSONParser]

    def scope_queryset(self, queryset):
        return queryset.select_related("product")

    @extend_schema(responses=PhotoSerializer)
    def retrieve(self, request, pk=None):
        return Response(PhotoSerializer(self.get_object()).data)

    @extend_schema(request=ImageDraftInput, responses={201: DraftSerializer})
    def images(self, request, pk=None):
        from apps.catalog.images import cutout

        photo = self.get_object()
        data = ImageDraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = (
            Listing.objects.for_org(self.org)
            .select_related("product", "store__marketplace")
            .filter(pk=data.validated_data["listing"], product=photo.product_id)
            .first()
        )
        if listing is None:
            raise NotFound("No such listing of this photo's product.")
        background = None
        if data.validated_data.get("background"):
            background = (
                ProductPhoto.objects.for_org(self.org)
                .filter(pk=data.validated_data["background"])
                .first()
            )
            if background is None:
                raise NotFound("No such background photo.")
        actor = request_actor(request)
        if data.validated_data["what"] == "generated":
            return self._generated(listing, photo, data.validated_data, actor)
        if data.validated_data["what"] == "scene":
            draft = cutout.listing_scene_draft(
                org=self.org, actor=actor, listing=listing, photo=photo, background=background
            )
        else:
            draft = cutout.listing_cutout_main_draft(
                org=self.org, actor=actor, listing=listing, photo=photo
            )
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)

    def _generated(self, listing, photo, data, actor):
        """A scene on a generated background: 201 with the draft (a failed draft, status
        "failed" with the endpoint's reason, when the call failed); 409 without an endpoint."""
        from apps.ai.images import image_endpoint
        from apps.catalog.images.generated import listing_generated_scene_draft
        from apps.core.errors import Conflict

        if image_endpoint() is None:
            raise Conflict(
                "Generated scenes need an image-generation endpoint (CROSSBORDER_IMAGE_BASE_URL).",
                code="no_image_endpoint",
            )
        draft = listing_generated_scene_draft(
            org=self.org,
            actor=actor,
            listing=listing,
            photo=photo,
            setting=data.get("setting") or "studio",
        )
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)


class ReadinessViewSet(TenantViewSet):
    queryset = Listing.objects.none()
    serializer_class = serializers.Serializer
    parser_classes = [BoundedJSONParser]

    def scope_queryset(self, queryset):
        return queryset.select_related("product", "store__marketplace")

    @extend_schema(responses={200: dict})
    def listing(self, request, pk=None):
        from apps.catalog.readiness.score import listing_readiness

        result = listing_readiness(self.get_object())
        return Response({"listing": int(pk), **result.as_dict()})

    @extend_schema(request=None, responses={201: DraftSerializer, 200: dict})
    def proposal(self, request, pk=None):
        from apps.catalog.readiness.score import readiness_draft

        draft = readiness_draft(
            org=self.org, actor=request_actor(request), listing=self.get_object()
        )
        if draft is None:
            return Response({"draft": None, "detail": "The product's facts have nothing to add."})
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    def stores(self, request):
        from apps.catalog.readiness.inputs import product_questions
        from apps.catalog.readiness.score import store_distribution

        listings = self.get_queryset().order_by("store_id", "pk")[:2000]
        result = store_distribution(listings)
        first = listings[0] if listings else None
        inbox = (
            first is None
            or product_questions(org=self.org, product_id=first.product_id, limit=1) is not None
        )
        return Response(
            {
                "bands": result["bands"],
                "inbox_questions": "available"
                if inbox
                else "not available yet: apps.support not set up",
                "stores": [
                    {
                        "store": r["store"].pk,
                        "name": r["store"].name,
                        "average": r["average"],
                        "counts": r["bands"],
                        "listings": [
                            {"listing": lst.pk, "score": res.score} for lst, res in r["scores"]
                        ],
                    }
                    for r in result["stores"]
                ],
            }
        )
