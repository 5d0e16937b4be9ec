"""`manage.py import_reviews --org SLUG [--sku SKU] reviews.csv`: import customer reviews.

CSV, TSV or XLSX with rating, title, text and date columns (aliases in English, German and
Chinese). Rows go to the product `--sku` names, or to the product of each line's SKU column.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organization
from apps.catalog.buyer_reviews.imports import product_reviews_import
from apps.catalog.models import Product
from apps.core.errors import DomainError


class Command(BaseCommand):
    help = "Import customer reviews of a product (CSV, TSV or XLSX) and mine them."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--sku", default="", help="product SKU (else the file's SKU column)")

    def handle(self, *args, path: Path, org: str, sku: str, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org!r}.")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        product = None
        if sku:
            product = Product.objects.for_org(organization).filter(sku=sku).first()
            if product is None:
                raise CommandError(f"No product with SKU {sku!r} in {org}.")
        try:
            result = product_reviews_import(org=organization, data=path.read_bytes(),
                                            filename=path.name, product=product)  # fmt: skip
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if result.duplicate_of:
            self.stdout.write(result.message)
            return
        self.stdout.write(
            f"{result.created} reviews imported, {result.duplicates} already there, "
            f"{len(result.errors)} lines skipped, {len(result.product_ids)} products mined."
        )
        for error in result.errors[:50]:
            self.stderr.write(str(error))
