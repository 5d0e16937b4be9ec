"""Customer reviews imported for a product, and what review mining found in them.

Review text is third-party data: shown escaped, mined for phrases, and passed to a model only
inside <untrusted_data> blocks (apps/ai/untrusted.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class ProductReview(TenantModel):
    """One customer review of a product (imported from a marketplace export or a CSV)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(help_text=_("Stars, 1 to 5"))
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text=_("File or marketplace"))
    language = models.CharField(max_length=10, blank=True)
    # sha1 of rating, date, title and text: importing the same file twice adds nothing.
    fingerprint = models.CharField(max_length=40)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "product", "fingerprint"], name="review_unique_fingerprint"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5),
                name="review_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["organization", "product", "rating"])]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.title[:40]}"


class ReviewInsight(TenantModel):
    """The mined phrases of a product's reviews, refreshed after every import.

    `praised` and `complaints` are lists of {"phrase", "count", "quotes": [...]} (most frequent
    first); generation reads them as selling points and objections to answer.
    """

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, related_name="review_insight"
    )
    review_count = models.PositiveIntegerField(default=0)
    average_rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    by_rating = models.JSONField(default=dict, blank=True)  # {"5": 12, "4": 3, ...}
    praised = models.JSONField(default=list, blank=True)
    complaints = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"insight of product {self.product_id}"
