"""Admin for the B2B terms and margin breaks (the organization's data a quotation uses) and a
read view of inquiries and quotations. Imported by apps/support/admin.py."""

from django.contrib import admin

from .models import B2BMarginRule, B2BTerms, Inquiry, Quotation


@admin.register(B2BTerms)
class B2BTermsAdmin(admin.ModelAdmin):
    list_display = ("organization", "currency", "moq", "production_days", "validity_days")


@admin.register(B2BMarginRule)
class B2BMarginRuleAdmin(admin.ModelAdmin):
    list_display = ("organization", "min_quantity", "margin_pct")
    list_filter = ("organization",)


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "source", "status", "buyer_email", "quantity",
                    "destination_country", "incoterm", "created")  # fmt: skip
    list_filter = ("status", "source")
    raw_id_fields = ("conversation", "message", "product")


@admin.register(Quotation)
class QuotationAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "inquiry", "currency", "status", "version", "created")
    raw_id_fields = ("inquiry",)
