"""Every action a person can take on a dashboard page can be done through /api/v1/.

The URL conf is walked for every dashboard view that handles POST (a class with `post`, or a
function whose code reads POST: `require_POST`, `request.method == "POST"`, a bound form). Each
must be mapped below to the API operation(s) doing the same, or listed as a session mechanic
(no data action), or as a known gap. A new dashboard action fails this test until it is mapped.
"""

from __future__ import annotations

import inspect
import re

from django.urls import get_resolver
from rest_framework.test import APIClient

from .routes import _walk

# Dashboard URL name → operation ids of the API doing the same (any of them may be used).
API_COUNTERPART: dict[str, tuple[str, ...]] = {
    "catalog:photos": ("v1_products_photos_create",),
    "catalog:photos_extract": ("v1_products_photo_facts_create",),
    "catalog:photo_image_draft": ("v1_photos_images_create",),
    "catalog:readiness": ("v1_listings_readiness_proposal_create",),
    "catalog:listing_save": ("v1_listings_partial_update", "v1_listings_update"),
    "catalog:generate_content": ("v1_listings_generate_create",),
    "catalog:generate_listings": ("v1_listings_generate_create",),
    "catalog:upload_reviews": ("v1_products_reviews_create",),
    "catalog:translate_listing": ("v1_listings_translate_create",),
    "exports:marketplace": ("v1_exports_create",),
    "exports:listings": ("v1_exports_listings_create",),
    "orders:import": ("v1_orders_import_create", "v1_orders_bulk_create"),
    "review:approve": ("v1_drafts_approve_create",),
    "review:reject": ("v1_drafts_reject_create",),
    "review:bulk": ("v1_drafts_bulk_create",),
    "review:regenerate": ("v1_drafts_regenerate_create",),
    "review:edit": ("v1_drafts_edit_create",),
    "review:back_translate": ("v1_drafts_back_translate_create",),
    "review:policies": ("v1_policies_update",),
    "pricing:strategy_new": ("v1_strategies_create",),
    "pricing:strategy": ("v1_strategies_update", "v1_strategies_partial_update"),
    "pricing:strategy_enable": ("v1_strategies_enable_create", "v1_strategies_disable_create"),
    "pricing:strategy_assign": ("v1_strategy_assignments_create",),
    "pricing:assignment_delete": ("v1_strategy_assignments_destroy",),
    "pricing:competitors": ("v1_competitor_offers_bulk_create",),
    "pricing:reprice": ("v1_reprice_runs_create",),
    "pricing:simulator": ("v1_price_simulations_create",),
    "ads:index": ("v1_ads_reports_bulk_create", "v1_ads_reports_search_terms_create"),
    "ads:approve_campaign": ("v1_drafts_bulk_create",),
    "ads:recommendations_refresh": ("v1_ads_recommendations_run_create",),
    "ads:campaign": ("v1_ads_campaigns_partial_update",),
    "ads:bulk_uploaded": ("v1_ads_bulk_file_uploaded_create",),
    "support:action": (  # draft / submit / no_response / note / understand / edit_draft
        "v1_support_conversations_draft_create",
        "v1_support_conversations_reread_create",
        "v1_drafts_edit_create",
        "v1_support_conversations_reply_create",
        "v1_support_conversations_close_no_response_create",
        "v1_support_conversations_note_create",
    ),
    "support:lint": ("v1_support_conversations_lint_create",),
    "support:mailbox_new": ("v1_support_mailboxes_create",),
    "support:mailbox_edit": (  # save / poll now
        "v1_support_mailboxes_update",
        "v1_support_mailboxes_partial_update",
        "v1_support_mailboxes_poll_create",
    ),
    "support:sla_settings": ("v1_support_sla_settings_update",),
    "logistics:at_risk_draft": ("v1_parcels_delay_drafts_create",),
    "catalog:image_upload": ("v1_listings_images_create",),
    "catalog:image_draft": ("v1_listings_images_draft_create",),
    "support:kb_new": ("v1_support_articles_create",),
    "support:macro_new": ("v1_support_macros_create",),
    "support:macro_edit": ("v1_support_macros_update", "v1_support_macros_destroy"),
    "support:b2b_terms": ("v1_support_b2b_terms_update",),
    "support:kb_edit": ("v1_support_articles_update",),
    "support:b2b_inquiries": ("v1_support_b2b_inquiries_create",),
    "logistics:import_inventory": ("v1_inventory_bulk_create",),
    "logistics:plan_run": ("v1_plan_runs_create",),
    "logistics:import_tracking": ("v1_parcels_events_create",),
    "analytics:traffic_import": ("v1_analytics_traffic_import_create",),
    "analytics:selection_import": ("v1_analytics_candidates_import_create",),
    "integrations:webhooks": ("v1_webhooks_create", "v1_webhooks_partial_update"),
    "dashboard:job_cancel": ("v1_jobs_cancel_create",),
}

# Dashboard POSTs that are no data action of an organization, so need no API counterpart.
SESSION_MECHANICS = {
    "set_language": "the interface language of a browser session",
    "accounts:login": "signs a person in (API callers use keys)",
    "accounts:logout": "signs a person out",
    "accounts:switch_org": "picks the organization of a session (a key has one)",
    "accounts:api_keys": "keys are issued by people only: a key minting keys would outlive its "
    "own revocation",
}

# Dashboard actions without an API counterpart yet (docs/api.md lists them too).
GAPS: dict[str, str] = {}


def _handles_post(callback) -> bool:
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is not None:
        return hasattr(cls, "post")
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return False
    return bool(re.search(r"POST|require_http_methods|\.is_valid\(", source))


def dashboard_post_views() -> list[str]:
    found = []
    for route, pattern, namespace in _walk(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/")) or not pattern.name:
            continue
        if _handles_post(pattern.callback):
            found.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return sorted(set(found))


def test_every_dashboard_action_has_an_api_counterpart():
    known = set(API_COUNTERPART) | set(SESSION_MECHANICS) | {g.split("#")[0] for g in GAPS}
    unmapped = [name for name in dashboard_post_views() if name not in known]
    assert unmapped == [], (
        "dashboard actions without an API counterpart (map them in API_COUNTERPART, or list "
        f"them in GAPS): {unmapped}"
    )


def test_the_walk_finds_the_dashboards_actions():
    found = set(dashboard_post_views())
    assert {"review:approve", "pricing:reprice", "support:action", "dashboard:job_cancel"} <= found


def test_every_mapped_operation_exists_in_the_schema(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = {
        op["operationId"]
        for methods in schema["paths"].values()
        for method, op in methods.items()
        if method != "parameters"
    }
    missing = {name: ops for name, ops in API_COUNTERPART.items() if not set(ops) <= operations}
    assert missing == {}
    stale = [n for n in list(API_COUNTERPART) + list(SESSION_MECHANICS) + list(GAPS)
             if n.split("#")[0] not in dashboard_post_views()]  # fmt: skip
    assert stale == [], f"mapped names that are no dashboard action any more: {stale}"
