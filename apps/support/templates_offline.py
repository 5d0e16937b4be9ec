"""The offline generator's reply templates, per language and intent, with a Chinese rendering
of the same sentences (the back-translation the operator reads). They state only facts taken
from the assembled context (order id, dates, carrier, tracking number), so an offline draft is
grounded by construction; they promise no refund, cancellation or resend — a person decides."""

from __future__ import annotations

from typing import Any

LANGS = ("en", "de", "fr", "es", "it", "ja", "zh")
T: dict[str, dict[str, str]] = {
    "greet": {"en": "Hello {name},", "de": "Hallo {name},", "fr": "Bonjour {name},",
              "es": "Hola {name}:", "it": "Gentile {name},", "ja": "{name} 様",
              "zh": "{name}，您好："},
    "thanks": {"en": "Thank you for your message about order {order}.",
               "de": "vielen Dank für Ihre Nachricht zur Bestellung {order}.",
               "fr": "Merci pour votre message concernant la commande {order}.",
               "es": "Gracias por su mensaje sobre el pedido {order}.",
               "it": "grazie per il suo messaggio sull'ordine {order}.",
               "ja": "ご注文 {order} についてご連絡いただきありがとうございます。",
               "zh": "感谢您就订单 {order} 联系我们。"},
    "thanks_no_order": {"en": "Thank you for your message.", "de": "vielen Dank für Ihre Nachricht.",
                        "fr": "Merci pour votre message.", "es": "Gracias por su mensaje.",
                        "it": "grazie per il suo messaggio.", "ja": "ご連絡いただきありがとうございます。",
                        "zh": "感谢您的来信。"},
    "shipped": {"en": "Your order was shipped on {date}.", "de": "Ihre Bestellung wurde am {date} versandt.",
                "fr": "Votre commande a été expédiée le {date}.", "es": "Su pedido se envió el {date}.",
                "it": "Il suo ordine è stato spedito il {date}.", "ja": "ご注文は {date} に発送されました。",
                "zh": "您的订单已于 {date} 发货。"},
    "tracking": {"en": "Carrier: {carrier}, tracking number {tracking}, status: {status}.",
                 "de": "Versanddienstleister: {carrier}, Sendungsnummer {tracking}, Status: {status}.",
                 "fr": "Transporteur : {carrier}, numéro de suivi {tracking}, statut : {status}.",
                 "es": "Transportista: {carrier}, número de seguimiento {tracking}, estado: {status}.",
                 "it": "Corriere: {carrier}, numero di tracciamento {tracking}, stato: {status}.",
                 "ja": "配送業者：{carrier}、追跡番号 {tracking}、状況：{status}。",
                 "zh": "承运商：{carrier}，运单号 {tracking}，状态：{status}。"},
    "promised": {"en": "The expected delivery date is {date}.", "de": "Die voraussichtliche Zustellung ist am {date}.",
                 "fr": "La livraison est prévue le {date}.", "es": "La entrega prevista es el {date}.",
                 "it": "La consegna prevista è il {date}.", "ja": "お届け予定日は {date} です。",
                 "zh": "预计送达日期为 {date}。"},
    "delivered": {"en": "Our records show it was delivered on {date}.",
                  "de": "Laut unseren Daten wurde sie am {date} zugestellt.",
                  "fr": "Selon nos données, elle a été livrée le {date}.",
                  "es": "Según nuestros datos, se entregó el {date}.",
                  "it": "Secondo i nostri dati è stato consegnato il {date}.",
                  "ja": "記録では {date} に配達済みです。", "zh": "根据记录，订单已于 {date} 签收。"},
    "check": {"en": "We are checking this with our team and will get back to you within 24 hours.",
              "de": "Wir prüfen das mit unserem Team und melden uns innerhalb von 24 Stunden.",
              "fr": "Nous vérifions cela avec notre équipe et revenons vers vous sous 24 heures.",
              "es": "Lo estamos revisando con nuestro equipo y le responderemos en 24 horas.",
              "it": "Stiamo verificando con il nostro team e le risponderemo entro 24 ore.",
              "ja": "担当チームで確認し、24時間以内にご連絡いたします。",
              "zh": "我们正在与团队核实，将在 24 小时内回复您。"},
    "return": {"en": "You can request a return or replacement through your orders page on the marketplace; we will process it promptly.",
               "de": "Sie können eine Rücksendung oder einen Ersatz über Ihre Bestellübersicht beim Marktplatz anfordern; wir bearbeiten sie umgehend.",
               "fr": "Vous pouvez demander un retour ou un remplacement depuis vos commandes sur la marketplace ; nous le traiterons rapidement.",
               "es": "Puede solicitar una devolución o un reemplazo desde sus pedidos en el marketplace; lo tramitaremos enseguida.",
               "it": "Può richiedere un reso o una sostituzione dalla pagina dei suoi ordini sul marketplace; lo gestiremo subito.",
               "ja": "マーケットプレイスの注文履歴から返品・交換をリクエストいただけます。速やかに対応いたします。",
               "zh": "您可以在平台的订单页面申请退货或换货，我们会尽快处理。"},
    "sorry": {"en": "We are sorry for the inconvenience.", "de": "Wir entschuldigen uns für die Unannehmlichkeiten.",
              "fr": "Nous sommes désolés pour ce désagrément.", "es": "Lamentamos las molestias.",
              "it": "Ci scusiamo per il disagio.", "ja": "ご不便をおかけして申し訳ございません。",
              "zh": "给您带来不便，我们深表歉意。"},
    "cancel": {"en": "We have noted your cancellation request; if the order has not shipped yet, it will be handled through the marketplace.",
               "de": "Wir haben Ihren Stornierungswunsch notiert; ist die Bestellung noch nicht versandt, wird er über den Marktplatz bearbeitet.",
               "fr": "Nous avons noté votre demande d'annulation ; si la commande n'est pas encore expédiée, elle sera traitée via la marketplace.",
               "es": "Hemos anotado su solicitud de cancelación; si el pedido aún no se ha enviado, se tramitará a través del marketplace.",
               "it": "Abbiamo preso nota della richiesta di annullamento; se l'ordine non è ancora spedito, verrà gestita tramite il marketplace.",
               "ja": "キャンセルのご依頼を承りました。未発送の場合はマーケットプレイス経由で処理されます。",
               "zh": "我们已记录您的取消请求；如订单尚未发货，将通过平台处理。"},
    "address": {"en": "For security reasons the delivery address can only be changed through the marketplace.",
                "de": "Aus Sicherheitsgründen kann die Lieferadresse nur über den Marktplatz geändert werden.",
                "fr": "Pour des raisons de sécurité, l'adresse de livraison ne peut être modifiée que via la marketplace.",
                "es": "Por seguridad, la dirección de entrega solo puede cambiarse a través del marketplace.",
                "it": "Per motivi di sicurezza l'indirizzo di consegna può essere cambiato solo tramite il marketplace.",
                "ja": "セキュリティ上、お届け先の変更はマーケットプレイス上でのみ可能です。",
                "zh": "出于安全原因，收货地址只能通过平台修改。"},
    "product": {"en": "Here is what we can tell you about {product}:", "de": "Zu {product} können wir Ihnen Folgendes sagen:",
                "fr": "Voici ce que nous pouvons vous dire sur {product} :", "es": "Esto es lo que podemos decirle sobre {product}:",
                "it": "Ecco cosa possiamo dirle su {product}:", "ja": "{product} について：",
                "zh": "关于 {product}，情况如下："},
    "no_logistics": {"en": "We are checking the shipment status and will update you.",
                     "de": "Wir prüfen den Sendungsstatus und informieren Sie.",
                     "fr": "Nous vérifions le statut de l'envoi et vous tiendrons informé.",
                     "es": "Estamos comprobando el estado del envío y le informaremos.",
                     "it": "Stiamo verificando lo stato della spedizione e la aggiorneremo.",
                     "ja": "配送状況を確認のうえ、改めてご連絡いたします。",
                     "zh": "我们正在核实物流状态，稍后告知您。"},
    "close": {"en": "Kind regards,\n{store}", "de": "Freundliche Grüße\n{store}", "fr": "Cordialement,\n{store}",
              "es": "Saludos cordiales,\n{store}", "it": "Cordiali saluti,\n{store}", "ja": "{store}",
              "zh": "此致\n{store}"},
}  # fmt: skip


def _t(key: str, lang: str, **values: Any) -> str:
    table = T[key]
    return table.get(lang, table["en"]).format(**values)


def compose(context: dict, lang: str) -> str:
    """The reply in `lang` from the context's facts only."""
    lang = lang if lang in LANGS else "en"
    name = context.get("buyer_name") or ""
    order = context.get("order") or {}
    order_id = order.get("marketplace_order_id") or context.get("marketplace_order_id") or ""
    logistics = context.get("logistics") or {}
    shipments = logistics.get("shipments") or []
    intent = context.get("intent") or "other"
    lines = [_t("greet", lang, name=name).replace(" ,", ",").strip()]
    lines.append(_t("thanks", lang, order=order_id) if order_id else _t("thanks_no_order", lang))
    body: list[str] = []
    if intent in ("where_is_my_order", "delivery_problem", "complaint"):
        if intent != "where_is_my_order":
            body.append(_t("sorry", lang))
        if order.get("shipped_at"):
            body.append(_t("shipped", lang, date=order["shipped_at"]))
        for s in shipments[:2]:
            if s.get("tracking_number"):
                body.append(_t("tracking", lang, carrier=s.get("carrier") or "-",
                               tracking=s["tracking_number"], status=s.get("status") or "-"))  # fmt: skip
            if s.get("promised_date") and s.get("status") not in ("Delivered", "delivered"):
                body.append(_t("promised", lang, date=str(s["promised_date"])[:10]))
        if order.get("delivered_at"):
            body.append(_t("delivered", lang, date=order["delivered_at"]))
        if not logistics.get("available") and not order.get("shipped_at"):
            body.append(_t("no_logistics", lang))
        body.append(_t("check", lang))
    elif intent == "return_refund":
        body += [_t("sorry", lang), _t("return", lang)]
    elif intent == "cancellation":
        body.append(_t("cancel", lang))
    elif intent == "address_change":
        body.append(_t("address", lang))
    elif intent == "product_question" and context.get("knowledge"):
        product = (context.get("product") or {}).get("listing_title") or ""
        body.append(_t("product", lang, product=product[:80] or "-"))
        body.append(context["knowledge"][0]["body"][:600])
        body.append(_t("check", lang))
    else:
        body.append(_t("check", lang))
    return "\n\n".join([*lines[:1], " ".join([lines[1], *body]), _t("close", lang,
                                                                    store=context.get("store") or "")])  # fmt: skip
