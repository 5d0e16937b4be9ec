"""Demo customer service: 200 conversations in English, German, French, Japanese and Spanish,
linked to demo orders, a few that break marketplace rules (operator drafts with links or review
incentives) or try prompt injection, answers for most of the older ones (so the SLA dashboard has
figures), a knowledge base, macros, offline reply drafts in the review queue, and a demo mailbox
that `manage.py support_demo_imap` (run by `make run` when Dovecot is installed) serves locally.

Idempotent: an organization that already has conversations gets nothing new. Deterministic:
randomness from ctx.random("support", …), times relative to ctx.now.
"""

from __future__ import annotations

from datetime import timedelta

SEED_AFTER = ("orders",)
CONVERSATIONS = 200
DEMO_IMAP_PORT = 1143
DEMO_IMAP_USER = "demo"
DEMO_IMAP_PASSWORD = "demo-imap"
# Which buyer languages each demo store's buyers write in (weights).
STORE_LANGUAGES = {
    "amazon_us": (("en", 6), ("es", 3), ("ja", 2)),
    "amazon_de": (("de", 6), ("fr", 3), ("es", 1)),
    "ebay_uk": (("en", 5), ("fr", 1)),
}
ARTICLES = [
    (
        "en",
        "Power bank stops charging",
        "If the power bank stops charging at around 40 %, hold "
        "the power button for 10 seconds to reset the battery gauge, then charge it fully with a "
        "USB-C PD charger.",
        ["troubleshooting"],
    ),
    (
        "de",
        "Powerbank lädt nicht mehr",
        "Wenn die Powerbank bei etwa 40 % aufhört zu laden, "
        "halten Sie die Einschalttaste 10 Sekunden gedrückt und laden Sie sie dann vollständig.",
        ["troubleshooting"],
    ),
    (
        "fr",
        "Câble compatible",
        "Nos câbles USB-C sont compatibles avec les ordinateurs portables USB-C PD jusqu'à 100 W.",
        ["compatibility"],
    ),
    (
        "es",
        "Compatibilidad del cargador",
        "Nuestros cargadores USB-C son compatibles con teléfonos Samsung Galaxy y iPhone 15.",
        ["compatibility"],
    ),
    (
        "ja",
        "充電器の対応機種",
        "USB-C 充電器は iPhone 15 と Galaxy シリーズに対応しています。",
        ["compatibility"],
    ),
    (
        "en",
        "Returns policy",
        "Items can be returned within 30 days of delivery through the marketplace's return centre.",
        ["policy"],
    ),
]
MACROS = [
    (
        "Where is my order (en)",
        "en",
        "where_is_my_order",
        "Hello {buyer_name},\n\nthank you for your message about order {order_id}. We are "
        "checking the shipment with the carrier and will update you within 24 hours.\n\n"
        "Kind regards,\n{store}",
    ),
    (
        "Wo ist meine Bestellung (de)",
        "de",
        "where_is_my_order",
        "Hallo {buyer_name},\n\nvielen Dank für Ihre Nachricht zur Bestellung {order_id}. "
        "Wir prüfen "
        "die Sendung und melden uns innerhalb von 24 Stunden.\n\nFreundliche Grüße\n{store}",
    ),
    (
        "Tracking number (en)",
        "en",
        "where_is_my_order",
        "Hello {buyer_name},\n\nyour order {order_id} was shipped with {carrier}; the tracking "
        "number is {tracking_number}.\n\nKind regards,\n{store}",
    ),
    (
        "物流查询（中文，发送前翻译）",
        "zh",
        "where_is_my_order",
        "{buyer_name}您好，\n\n感谢您关于订单 {order_id} 的来信。您的包裹由 {carrier} 承运，"
        "运单号 {tracking_number}。我们会继续跟进物流情况。\n\n{store}",
    ),
]
RULE_BREAKING = [
    "Hello, please see https://kovexa-store.example/manual for the manual.",
    "Thanks! Leave us a 5-star review and we send you a $10 gift card.",
    "Write to service@kovexa-store.example and we help at once.",
]


def seed(ctx) -> None:
    org = ctx.orgs.get("demo")
    if org is None:
        return
    from .models import Conversation

    if Conversation.objects.for_org(org).exists():
        return
    _knowledge(org)
    ids = _conversations(ctx, org)
    _answers(ctx, org, ids)
    _drafts(ctx, org, ids)
    _mailbox(org)
    from .b2b.demo import seed as seed_b2b

    seed_b2b(ctx, org)  # a B2B inquiry with its quotation draft (issue 12 item 3)


def _knowledge(org) -> None:
    from .models import SlaSettings
    from .services.kb import kb_article_save, macro_save

    for language, title, body, tags in ARTICLES:
        kb_article_save(org=org, title=title, body=body, language=language, tags=tags)
    for name, language, intent, body in MACROS:
        macro_save(org=org, name=name, body=body, language=language, intent=intent)
    SlaSettings.objects.get_or_create(organization=org)


def _conversations(ctx, org) -> list[int]:
    from apps.catalog.models import Store
    from apps.orders.selectors import order_list

    from .sample_mail import NAMES, alias, buyer_message, ebay_mail, relay_mail
    from .services.bulk import mails_ingest_many

    rng = ctx.random("support", "conversations")
    stores = [
        s
        for s in Store.objects.for_org(org).select_related("marketplace")
        if s.marketplace.code in STORE_LANGUAGES
    ]
    ids: list[int] = []
    per_store = CONVERSATIONS // max(1, len(stores))
    for n, store in enumerate(stores):
        count = per_store if n < len(stores) - 1 else CONVERSATIONS - per_store * n
        orders = list(
            order_list(org=org, store_id=store.pk)
            .filter(ordered_at__gte=ctx.now - timedelta(days=40))
            .prefetch_related("items")
            .order_by("id")[: count * 3]
        )
        picked = rng.sample(orders, min(count, len(orders)))
        languages, weights = zip(*STORE_LANGUAGES[store.marketplace.code], strict=True)
        raws = []
        for i, order in enumerate(picked):
            lang = rng.choices(languages, weights)[0]
            text, html = buyer_message(rng, lang, injection=i % 33 == 5)
            # Spread over 30 days, the newest hours ago: some overdue, some due soon.
            when = ctx.now - timedelta(hours=rng.uniform(0.5, 24 * 30) ** 1.0)
            maker = ebay_mail if store.marketplace.code.startswith("ebay") else relay_mail
            extra = {} if maker is ebay_mail else {"marketplace": store.marketplace.code}
            raws.append(
                maker(
                    text=text,
                    order_id=order.marketplace_order_id,
                    buyer=rng.choice(NAMES[lang]),
                    alias_=alias(rng),
                    **extra,
                    when=when,
                    message_id=f"<demo-{store.pk}-{order.pk}@email.amazonses.com>",
                    html=html,
                )
            )
        ids += mails_ingest_many(org=org, store=store, raws=raws).conversation_ids
    return ids


def _answers(ctx, org, ids: list[int]) -> None:
    """Replies already sent for most conversations older than a day (2–30 h after the buyer
    wrote), and a few closed as "no response needed"."""
    from .models import Conversation, Message

    rng = ctx.random("support", "answers")
    rows, updates = [], []
    for convo in Conversation.objects.for_org(org).filter(pk__in=ids).order_by("id"):
        asked = convo.last_buyer_message_at
        if asked is None or ctx.now - asked < timedelta(hours=30) or rng.random() < 0.15:
            continue
        if rng.random() < 0.05:
            convo.status, convo.no_response_needed, convo.closed_at = "closed", True, asked
            updates.append(convo)
            continue
        at = asked + timedelta(hours=rng.uniform(2, 30))
        rows.append(
            Message(
                organization=org,
                conversation=convo,
                direction="outbound",
                sent_at=at,
                text="(demo) Reply sent.",
                language=convo.language,
                send_status="sent",
            )
        )
        convo.responded_at = convo.first_response_at = at
        convo.status = "waiting"
        updates.append(convo)
    Message.objects.bulk_create(rows)
    from apps.core.tenancy import tenant_scope

    with tenant_scope(org):
        Conversation.objects.bulk_update(
            updates,
            [
                "status",
                "no_response_needed",
                "closed_at",
                "responded_at",
                "first_response_at",
            ],
        )


def _drafts(ctx, org, ids: list[int]) -> None:
    """Offline reply drafts for 20 open conversations, and operator drafts breaking rules."""
    from .models import Conversation
    from .services.drafts import reply_drafts_generate
    from .services.replies import reply_submit

    open_ids = list(
        Conversation.objects.for_org(org)
        .filter(pk__in=ids, status="open", responded_at__isnull=True)
        .order_by("sla_due_at")
        .values_list("pk", flat=True)[:23]
    )
    reply_drafts_generate(org=org, actor=None, conversation_ids=open_ids[:20], offline=True)
    for pk, text in zip(open_ids[20:], RULE_BREAKING, strict=False):
        reply_submit(
            org=org,
            actor=None,
            conversation=Conversation.objects.for_org(org).get(pk=pk),
            text=text,
        )


def _mailbox(org) -> None:
    """The demo store's relay mailbox on the local Dovecot of `manage.py support_demo_imap`."""
    from apps.catalog.models import Store

    from .models import Mailbox
    from .services.channels import mailbox_create

    store = Store.objects.for_org(org).filter(marketplace__code="amazon_us").first()
    if store is None or Mailbox.objects.for_org(org).exists():
        return
    mailbox_create(
        org=org,
        store=store,
        address="support@kovexa-store.example",
        imap_host="127.0.0.1",
        imap_port=DEMO_IMAP_PORT,
        imap_ssl=False,
        imap_username=DEMO_IMAP_USER,
        imap_password=DEMO_IMAP_PASSWORD,
        smtp_host="",
        smtp_starttls=False,
    )


def reset(ctx) -> None:
    from .models import (
        B2BMarginRule,
        B2BTerms,
        Conversation,
        Inquiry,
        KnowledgeArticle,
        Macro,
        Mailbox,
    )

    for model in (Inquiry, B2BMarginRule, B2BTerms, Conversation, KnowledgeArticle, Macro, Mailbox):
        model.objects.unscoped().filter(organization__slug__in=("demo",)).delete()
