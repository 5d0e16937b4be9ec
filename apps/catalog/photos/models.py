"""A product's photos: what the photo-to-facts generation reads and the cut-outs start from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class ProductPhoto(TenantModel):
    """An uploaded photo of a product, its packaging, or a scene background for composed images.

    The file lives in the organization's image folder (apps/catalog/images/services.py) and is
    served only through the tenant-checked image view."""

    class Role(models.TextChoices):
        PRODUCT = "product", _("Product")
        PACKAGING = "packaging", _("Packaging")
        BACKGROUND = "background", _("Scene background")

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="photos")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PRODUCT)
    path = models.CharField(max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["product_id", "id"]
        indexes = [models.Index(fields=["organization", "product", "role"])]

    def __str__(self) -> str:
        return f"{self.product_id} {self.role} {self.path}"
