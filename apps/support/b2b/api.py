"""REST API of B2B inquiries (list, detail, create from text, correct the parsed request) and
quotations (detail with the computation and the draft, PDF download). Tenant-scoped: another
organization's ids answer 404."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Product
from apps.core.api import (
    CurrencyField,
    OrgPrimaryKeyRelatedField,
    ServiceViewSet,
    TenantViewSet,
    write_schemas,
)
from apps.core.money import CURRENCIES

from . import pdf, selectors, services
from .models import B2BTerms, Inquiry, Quotation


class QuotationSerializer(serializers.ModelSerializer):
    draft = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text="draft | approved | sent")

    class Meta:
        model = Quotation
        fields = ["id", "inquiry", "currency", "language", "computation", "text", "status",
                  "version", "created", "draft"]  # fmt: skip
        read_only_fields = fields

    def get_draft(self, obj) -> dict | None:
        draft = selectors.quotation_draft(org=obj.organization, quotation=obj)
        if draft is None:
            return None
        return {"id": draft.pk, "status": draft.status, "proposed": draft.proposed,
                "checks": draft.checks}  # fmt: skip


class InquirySerializer(serializers.ModelSerializer):
    quotation = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text="new | quoted | sent | closed")

    class Meta:
        model = Inquiry
        fields = ["id", "source", "status", "conversation", "buyer_name", "buyer_email",
                  "company", "subject", "text", "language", "parse_method", "parsed", "product",
                  "product_match", "quantity", "destination_country", "destination_port",
                  "incoterm", "target_price", "target_currency", "deadline", "customisation",
                  "created", "quotation"]  # fmt: skip
        read_only_fields = fields

    def get_quotation(self, obj) -> int | None:
        q = selectors.quotation_latest(org=obj.organization, inquiry=obj)
        return q.pk if q else None


class InquiryCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
    buyer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    buyer_email = serializers.EmailField(max_length=255, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    subject = serializers.CharField(max_length=500, required=False, allow_blank=True)


class InquiryUpdateSerializer(serializers.Serializer):
    product = OrgPrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False)
    destination_country = serializers.RegexField(r"^[A-Z]{2}$", required=False)
    destination_port = serializers.CharField(max_length=64, required=False, allow_blank=True)
    incoterm = serializers.ChoiceField(choices=["EXW", "FOB", "CIF", "DDP"], required=False)
    target_price = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, required=False, allow_null=True
    )
    target_currency = serializers.ChoiceField(choices=sorted(CURRENCIES), required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    customisation = serializers.CharField(max_length=500, required=False, allow_blank=True)


@extend_schema_view(**write_schemas(InquirySerializer))
class InquiryViewSet(ServiceViewSet):
    queryset = Inquiry.objects.all()
    serializer_class = InquirySerializer
    create_serializer_class = InquiryCreateSerializer
    update_serializer_class = InquiryUpdateSerializer
    write_role = "manager"

    def scope_queryset(self, queryset):
        return queryset.select_related("organization").order_by("-created", "-id")

    def create_object(self, data):
        return services.inquiry_create(org=self.org, source=Inquiry.Source.API, **data)

    def update_object(self, instance, data, expected_version):
        return services.inquiry_update(org=self.org, inquiry=instance, **data)


class QuotationViewSet(ServiceViewSet):
    """Read-only: a quotation is computed from its inquiry (POST/PATCH the inquiry)."""

    queryset = Quotation.objects.all()
    serializer_class = QuotationSerializer
    http_method_names = ["get", "head", "options"]

    def scope_queryset(self, queryset):
        return queryset.select_related("organization", "inquiry").order_by("-created", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "back_translation",
                bool,
                description="1: the staff copy, with the Chinese back-translation at the end",
            )
        ],
        responses={(200, "application/pdf"): bytes},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        quotation = self.get_object()
        internal = request.query_params.get("back_translation", "")[:5] in ("1", "true")
        return pdf_response(quotation, back_translation=internal)


def back_translation_of(draft) -> str:
    """The Chinese back-translation recorded with the quotation's draft ("" without one)."""
    if draft is None:
        return ""
    return next(
        (
            str(e.get("text", ""))
            for e in draft.evidence or []
            if e.get("kind") == "back_translation"
        ),
        "",
    )


def pdf_response(quotation: Quotation, *, back_translation: bool = False) -> HttpResponse:
    draft = selectors.quotation_draft(org=quotation.organization, quotation=quotation)
    text = quotation.text or (draft.proposed.get("text", "") if draft else "")
    data = pdf.render(
        computation=quotation.computation, text=text, language=quotation.language,
        title=f"Q-{quotation.pk}",
        back_translation=back_translation_of(draft) if back_translation else "",
    )  # fmt: skip
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="quotation-Q-{quotation.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class MarginBreakSerializer(serializers.Serializer):
    min_quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    margin_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("90")
    )


class TermsSerializer(serializers.Serializer):
    """The organization's B2B terms (the same bounds as the settings page)."""

    currency = CurrencyField()
    moq = serializers.IntegerField(min_value=1, max_value=1_000_000)
    production_days = serializers.IntegerField(min_value=0, max_value=365)
    default_incoterm = serializers.CharField(
        max_length=3,
        allow_blank=True,
        help_text="EXW, FOB, CIF, DDP or blank (the text quotes DDP)",
    )
    freight_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=["sea", "air", "express"]),
        min_length=1,
        max_length=3,
    )
    validity_days = serializers.IntegerField(min_value=1, max_value=365)
    export_fee_per_shipment = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100000")
    )
    handling_per_unit = serializers.DecimalField(
        max_digits=10, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1000")
    )
    insurance_pct = serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("10")
    )
    origin_port = serializers.CharField(max_length=64)
    margins = serializers.ListField(child=MarginBreakSerializer(), min_length=1, max_length=6)

    def validate_default_incoterm(self, value: str) -> str:
        if value not in ("", "EXW", "FOB", "CIF", "DDP"):
            raise serializers.ValidationError("Use EXW, FOB, CIF, DDP or blank.")
        return value


def _terms_data(org) -> dict:
    from .rates import MODES

    terms = services.terms_get(org=org)
    return {
        "currency": terms.currency,
        "moq": terms.moq,
        "production_days": terms.production_days,
        "default_incoterm": terms.default_incoterm,
        "freight_modes": list(services.freight_modes_of(terms) or MODES),
        "validity_days": terms.validity_days,
        "export_fee_per_shipment": terms.export_fee_per_shipment,
        "handling_per_unit": terms.handling_per_unit,
        "insurance_pct": terms.insurance_pct,
        "origin_port": terms.origin_port,
        "margins": [
            {"min_quantity": q, "margin_pct": pct} for q, pct in services.margins_get(org=org)
        ],
    }


class TermsViewSet(TenantViewSet):
    """GET/PUT support/b2b/terms/: the organization's B2B terms, for managers and owners."""

    queryset = B2BTerms.objects.all()
    serializer_class = TermsSerializer
    read_role = "manager"  # margins are not for every member
    write_role = "manager"

    @extend_schema(responses=TermsSerializer)
    def current(self, request):
        return Response(TermsSerializer(_terms_data(self.org)).data)

    @extend_schema(request=TermsSerializer, responses=TermsSerializer)
    def replace(self, request):
        from .terms import terms_update

        data = TermsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        margins = [(m["min_quantity"], m["margin_pct"]) for m in values.pop("margins")]
        terms_update(org=self.org, data=values, margins=margins)
        return Response(TermsSerializer(_terms_data(self.org)).data)
