"""ListingRevision: the trigger records what every UPDATE changed, bulk UPDATEs included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from apps.catalog.listings.revisions import listing_edit, revision_context
from apps.catalog.models import Listing, ListingRevision
from apps.core.errors import ValidationFailed
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_a_bulk_update_writes_one_revision_per_changed_listing(org):
    listings = ListingFactory.create_batch(3, organization=org, price=Decimal("10.00"))
    Listing.objects.for_org(org).filter(pk__in=[x.pk for x in listings[:2]]).update(
        price=Decimal("12.50")
    )
    revisions = ListingRevision.objects.for_org(org).order_by("listing_id")
    assert [r.listing_id for r in revisions] == [listings[0].pk, listings[1].pk]
    first = revisions[0]
    assert first.changes == {"price": [10.0, 12.5]}
    assert first.source == "database"
    assert first.actor_id is None
    assert first.version == Listing.objects.for_org(org).get(pk=listings[0].pk).version == 2


def test_an_update_that_changes_nothing_writes_no_revision(org):
    listing = ListingFactory(organization=org)
    Listing.objects.for_org(org).filter(pk=listing.pk).update(title=listing.title)
    Listing.objects.for_org(org).filter(pk=listing.pk).update(stock=listing.stock + 5)
    assert not ListingRevision.objects.for_org(org).exists()


def test_a_revision_names_the_actor_and_the_source(org, user):
    listing = ListingFactory(organization=org, title="Old title", bullets=["a"])
    with transaction.atomic():
        revision_context(actor=user, source="draft")
        Listing.objects.for_org(org).filter(pk=listing.pk).update(
            title="New title", bullets=["a", "b"]
        )
    revision = ListingRevision.objects.for_org(org).get()
    assert revision.actor_id == user.pk
    assert revision.source == "draft"
    assert revision.changes == {"title": ["Old title", "New title"], "bullets": [["a"], ["a", "b"]]}


def test_a_human_edit_is_saved_and_recorded_as_an_edit(org, user):
    listing = ListingFactory(organization=org)
    saved = listing_edit(
        org=org,
        actor=user,
        listing=listing,
        data={"title": "Voltora Copper Cable 2 m", "search_terms": "cable kabel"},
        expected_version=listing.version,
    )
    assert saved.title == "Voltora Copper Cable 2 m"
    revision = ListingRevision.objects.for_org(org).get()
    assert revision.source == "edit"
    assert revision.actor_id == user.pk
    assert set(revision.changes) == {"title", "search_terms"}


def test_an_edit_with_rule_errors_is_refused_and_nothing_changes(org, user):
    listing = ListingFactory(organization=org)
    with pytest.raises(ValidationFailed) as exc:
        listing_edit(
            org=org,
            actor=user,
            listing=listing,
            data={"title": "Best seller charger!"},
            expected_version=listing.version,
        )
    assert "refuse" in exc.value.message
    assert Listing.objects.for_org(org).get(pk=listing.pk).title == listing.title
    assert not ListingRevision.objects.for_org(org).exists()


def test_revisions_are_scoped_to_their_organization(org, other_org):
    mine = ListingFactory(organization=org)
    ListingFactory(organization=other_org)
    Listing.objects.for_org(org).filter(pk=mine.pk).update(title="changed")
    assert ListingRevision.objects.for_org(other_org).count() == 0
    assert ListingRevision.objects.for_org(org).count() == 1


def test_the_repricers_price_moves_are_not_duplicated_as_revisions(org):
    """PriceChange is the repricer's history; a listing revision is written for other changes."""
    from django.db import connection, transaction

    from apps.catalog.listings.revisions import ListingRevision
    from apps.catalog.models import Listing
    from tests.factories import ListingFactory

    listing = ListingFactory(organization=org, price="20.00")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('crossborder.change_source', 'repricer', true)")
        Listing.objects.for_org(org).filter(pk=listing.pk).update(price="19.49")
        cursor.execute("SELECT set_config('crossborder.change_source', '', true)")
        Listing.objects.for_org(org).filter(pk=listing.pk).update(title="Edited title")
    revisions = ListingRevision.objects.for_org(org).filter(listing=listing)
    assert [sorted(r.changes) for r in revisions] == [["title"]]
