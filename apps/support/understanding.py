"""Offline understanding of a buyer message: language (lingua), intent and sentiment from
keyword lexicons per language, a gist translation into the operator's language from a phrase
lexicon, and a priority. Everything here is labelled `offline_rules` / `offline_lexicon`: it
is a rule-based reading, not a model's, and the pages say so. With an LLM endpoint the same
fields come from a generation kind (apps.support.generation)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lingua import Language, LanguageDetectorBuilder

OFFLINE_RULES = "offline_rules"
OFFLINE_LEXICON = "offline_lexicon"
LANGS = {
    "en": Language.ENGLISH,
    "de": Language.GERMAN,
    "fr": Language.FRENCH,
    "es": Language.SPANISH,
    "it": Language.ITALIAN,
    "ja": Language.JAPANESE,
    "zh": Language.CHINESE,
    "nl": Language.DUTCH,
    "pt": Language.PORTUGUESE,
}
CODE = {v: k for k, v in LANGS.items()}
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def _detector():
    return LanguageDetectorBuilder.from_languages(*LANGS.values()).build()


def detect_language(text: str) -> str:
    """ISO 639-1 code; scripts decide Japanese/Chinese at once; "" when nothing to judge."""
    sample = (text or "")[:600]
    if _KANA.search(sample):
        return "ja"
    if len(_HAN.findall(sample)) > 3:
        return "zh"
    if len(re.findall(r"[^\W\d_]", sample)) < 3:
        return ""
    found = _detector().detect_language_of(sample)
    return CODE.get(found, "") if found else ""


# Intent lexicons: (intent, {lang: [stems]}), first match in this order wins (more specific
# intents first). Stems match at word starts, case-insensitive.
INTENTS: list[tuple[str, dict[str, list[str]]]] = [
    (
        "cancellation",
        {
            "en": ["cancel"],
            "de": ["stornier", "storno"],
            "fr": ["annul"],
            "es": ["cancel", "anular"],
            "it": ["annull", "cancell"],
            "ja": ["キャンセル", "取り消"],
        },
    ),
    (
        "address_change",
        {
            "en": [
                "change the address",
                "change my address",
                "wrong address",
                "new address",
                "shipping address",
            ],
            "de": ["adresse ändern", "lieferadresse", "falsche adresse", "neue adresse"],
            "fr": [
                "changer l'adresse",
                "changer mon adresse",
                "nouvelle adresse",
                "adresse de livraison",
            ],
            "es": [
                "cambiar la dirección",
                "cambiar mi dirección",
                "nueva dirección",
                "dirección de envío",
            ],
            "it": ["cambiare indirizzo", "nuovo indirizzo"],
            "ja": ["住所変更", "住所を変更", "届け先"],
        },
    ),
    (
        "return_refund",
        {
            "en": ["refund", "return", "money back", "replacement"],
            "de": [
                "rückerstattung",
                "erstatt",
                "zurücksend",
                "rücksend",
                "retour",
                "umtausch",
                "ersatz",
                "geld zurück",
            ],
            "fr": ["rembourse", "retour", "renvoyer", "échange", "remplacement"],
            "es": ["reembolso", "devolu", "devolver", "reemplazo", "cambio"],
            "it": ["rimbors", "reso", "restitu", "sostituzione"],
            "ja": ["返金", "返品", "交換"],
        },
    ),
    (
        "delivery_problem",
        {
            "en": [
                "missing",
                "damaged",
                "broken",
                "wrong item",
                "not received",
                "never arrived",
                "didn't arrive",
                "did not arrive",
                "defect",
                "stops",
                "doesn't work",
                "does not work",
                "not working",
            ],
            "de": [
                "fehl",
                "beschädigt",
                "kaputt",
                "defekt",
                "falsch",
                "nicht angekommen",
                "nicht erhalten",
                "funktioniert nicht",
            ],
            "fr": [
                "manquant",
                "manque",
                "endommagé",
                "cassé",
                "défectueux",
                "pas reçu",
                "ne fonctionne pas",
                "mauvais article",
            ],
            "es": [
                "falta",
                "dañado",
                "roto",
                "defectuoso",
                "no he recibido",
                "no recibí",
                "no funciona",
                "artículo equivocado",
            ],
            "it": ["mancante", "danneggiat", "rotto", "difettoso", "non ricevuto", "non funziona"],
            "ja": ["届いていない", "破損", "壊れ", "不良", "足りない", "動かない", "違う商品"],
        },
    ),
    (
        "where_is_my_order",
        {
            "en": [
                "where is my",
                "tracking",
                "when will",
                "not arrived yet",
                "hasn't arrived",
                "still waiting",
                "status of my order",
                "shipped",
            ],
            "de": [
                "wo ist",
                "sendungsverfolgung",
                "wann kommt",
                "wann wird",
                "noch nicht angekommen",
                "warte noch",
                "versand",
            ],
            "fr": [
                "où est",
                "suivi",
                "quand vais-je",
                "quand",
                "toujours pas reçu",
                "pas encore arrivé",
                "expédi",
            ],
            "es": ["dónde está", "seguimiento", "cuándo", "todavía no", "aún no", "enviado"],
            "it": ["dov'è", "tracciamento", "quando arriva", "spedi"],
            "ja": ["まだ届", "いつ届", "追跡", "配送状況", "発送"],
        },
    ),
    (
        "complaint",
        {
            "en": [
                "terrible",
                "worst",
                "scam",
                "disappointed",
                "angry",
                "unacceptable",
                "negative feedback",
                "1 star",
                "one star",
                "complain",
                "report you",
            ],
            "de": [
                "enttäuscht",
                "unverschämt",
                "betrug",
                "schlechte bewertung",
                "inakzeptabel",
                "beschwer",
                "frechheit",
            ],
            "fr": ["déçu", "inacceptable", "arnaque", "mauvais avis", "plainte", "honteux"],
            "es": ["decepcionado", "inaceptable", "estafa", "mala reseña", "queja", "vergonzoso"],
            "it": ["deluso", "inaccettabile", "truffa", "recensione negativa", "reclamo"],
            "ja": ["最悪", "がっかり", "詐欺", "悪い評価", "クレーム", "許せない"],
        },
    ),
    (
        "product_question",
        {
            "en": ["compatible", "does it", "does this", "is it", "can i", "how do", "how to", "?"],
            "de": ["kompatibel", "passt", "ist es", "kann ich", "wie kann", "funktioniert es"],
            "fr": ["compatible", "est-ce que", "est-il", "puis-je", "comment"],
            "es": ["compatible", "es posible", "puedo", "cómo", "funciona con"],
            "it": ["compatibile", "posso", "come si"],
            "ja": ["対応", "使えますか", "できますか", "ですか"],
        },
    ),
]
NEGATIVE = {
    "en": [
        "not",
        "never",
        "missing",
        "broken",
        "damaged",
        "disappointed",
        "angry",
        "terrible",
        "worst",
        "problem",
        "defect",
        "stops",
        "refund",
        "unacceptable",
        "still",
        "scam",
        "wrong",
    ],
    "de": [
        "nicht",
        "fehl",
        "kaputt",
        "defekt",
        "enttäuscht",
        "problem",
        "leider",
        "immer noch",
        "falsch",
        "betrug",
    ],
    "fr": ["pas", "jamais", "manque", "cassé", "déçu", "problème", "toujours pas", "arnaque"],
    "es": ["no ", "nunca", "falta", "roto", "decepcionado", "problema", "todavía", "estafa"],
    "it": ["non", "mai", "mancante", "rotto", "deluso", "problema"],
    "ja": ["ない", "壊れ", "最悪", "問題", "がっかり", "まだ"],
}
POSITIVE = {
    "en": ["thank", "great", "love", "perfect", "happy", "excellent"],
    "de": ["danke", "super", "toll", "perfekt", "zufrieden"],
    "fr": ["merci", "super", "parfait", "génial", "content"],
    "es": ["gracias", "genial", "perfecto", "encantado", "contento"],
    "it": ["grazie", "perfetto", "ottimo", "contento"],
    "ja": ["ありがとう", "素晴らしい", "満足", "助かり"],
}
STRONG_NEGATIVE = re.compile(r"!!|\b(scam|worst|betrug|arnaque|estafa|truffa)\b|最悪|詐欺", re.I)

INTENT_ZH = {
    "where_is_my_order": "询问订单/物流状态",
    "return_refund": "要求退货/退款/换货",
    "product_question": "产品咨询",
    "delivery_problem": "收货问题（缺件/损坏/故障）",
    "cancellation": "要求取消订单",
    "address_change": "要求修改地址",
    "complaint": "投诉/差评风险",
    "other": "其他",
}
SENTIMENT_ZH = {"negative": "负面", "neutral": "中性", "positive": "正面"}
# A phrase lexicon for the gist: buyer words → Chinese (stems, per language).
GLOSSARY = {
    "en": {
        "refund": "退款",
        "replacement": "换货",
        "return": "退货",
        "missing": "缺件",
        "damaged": "损坏",
        "broken": "损坏",
        "defect": "故障",
        "invoice": "发票",
        "tracking": "物流跟踪",
        "cancel": "取消",
        "address": "地址",
        "charge": "充电",
        "cable": "数据线",
        "battery": "电池",
        "earbuds": "耳机",
        "power bank": "充电宝",
        "compatible": "兼容",
        "warranty": "保修",
        "delivered": "已签收",
        "trip": "出行",
    },
    "de": {
        "rückerstattung": "退款",
        "erstatt": "退款",
        "ersatz": "换货",
        "fehl": "缺件",
        "beschädigt": "损坏",
        "kaputt": "损坏",
        "defekt": "故障",
        "rechnung": "发票",
        "mwst": "增值税",
        "sendungsverfolgung": "物流跟踪",
        "stornier": "取消",
        "adresse": "地址",
        "kabel": "数据线",
        "kopfhörer": "耳机",
        "nachschicken": "补发",
        "zugestellt": "已签收",
        "powerbank": "充电宝",
        "akku": "电池",
        "kompatibel": "兼容",
    },
    "fr": {
        "rembours": "退款",
        "remplacement": "换货",
        "retour": "退货",
        "manqu": "缺件",
        "endommagé": "损坏",
        "cassé": "损坏",
        "défectueux": "故障",
        "facture": "发票",
        "suivi": "物流跟踪",
        "annul": "取消",
        "adresse": "地址",
        "câble": "数据线",
        "écouteurs": "耳机",
        "batterie": "电池",
        "livré": "已签收",
        "compatible": "兼容",
    },
    "es": {
        "reembolso": "退款",
        "reemplazo": "换货",
        "devolu": "退货",
        "falta": "缺件",
        "dañado": "损坏",
        "roto": "损坏",
        "defectuoso": "故障",
        "factura": "发票",
        "seguimiento": "物流跟踪",
        "cancel": "取消",
        "dirección": "地址",
        "cable": "数据线",
        "auriculares": "耳机",
        "batería": "电池",
        "entregado": "已签收",
        "compatible": "兼容",
    },
    "it": {
        "rimbors": "退款",
        "sostituzione": "换货",
        "reso": "退货",
        "mancante": "缺件",
        "danneggiat": "损坏",
        "rotto": "损坏",
        "fattura": "发票",
        "annull": "取消",
        "indirizzo": "地址",
        "cavo": "数据线",
        "batteria": "电池",
    },
    "ja": {
        "返金": "退款",
        "交換": "换货",
        "返品": "退货",
        "破損": "损坏",
        "壊れ": "损坏",
        "不良": "故障",
        "領収書": "发票",
        "追跡": "物流跟踪",
        "キャンセル": "取消",
        "住所": "地址",
        "ケーブル": "数据线",
        "イヤホン": "耳机",
        "モバイルバッテリー": "充电宝",
        "届いていない": "未收到",
        "まだ届": "尚未收到",
    },
}
_ORDER_OR_NUMBER = re.compile(r"\b\d{3}-\d{7}-\d{7}\b|\b\d{1,3}(?:[.,]\d{1,2})?\s?(?:€|\$|£|¥|%)")


@dataclass(frozen=True)
class Understanding:
    language: str
    intent: str
    sentiment: str
    translation: str
    translation_language: str
    method: str = OFFLINE_RULES
    translation_method: str = OFFLINE_LEXICON


def _hits(text: str, stems: list[str]) -> list[str]:
    return [s for s in stems if s in text]


def classify(text: str, language: str) -> tuple[str, str]:
    lowered = (text or "").lower()
    langs = list(dict.fromkeys([language or "en", "en"]))
    intent = "other"
    for name, lexicon in INTENTS:
        if any(_hits(lowered, lexicon.get(lang, [])) for lang in langs):
            intent = name
            break
    neg = sum(len(_hits(lowered, NEGATIVE.get(lang, []))) for lang in langs)
    pos = sum(len(_hits(lowered, POSITIVE.get(lang, []))) for lang in langs)
    if STRONG_NEGATIVE.search(lowered) or intent == "complaint" or neg > pos + 1:
        sentiment = "negative"
    elif pos > neg:
        sentiment = "positive"
    else:
        sentiment = "neutral"
    return intent, sentiment


def gist_zh(text: str, language: str, intent: str, sentiment: str) -> str:
    """A labelled gist in Chinese: intent, tone, the numbers and the glossary words found. It is
    not a translation and says so; an LLM endpoint gives a full one."""
    if language == "zh":
        return text
    lowered = (text or "").lower()
    words = {zh for stem, zh in GLOSSARY.get(language, {}).items() if stem in lowered}
    numbers = list(dict.fromkeys(_ORDER_OR_NUMBER.findall(text or "")))[:5]
    lines = [
        f"【离线要点（规则与词典，非完整翻译）】意图：{INTENT_ZH.get(intent, '其他')}；"
        f"情绪：{SENTIMENT_ZH.get(sentiment, '中性')}"
    ]
    if words:
        lines.append("提到：" + "、".join(sorted(words)))
    if numbers:
        lines.append("数字：" + "，".join(numbers))
    return "\n".join(lines)


def understand(text: str, operator_language: str = "zh-Hans") -> Understanding:
    language = detect_language(text) or "en"
    intent, sentiment = classify(text, language)
    translation = (
        gist_zh(text, language, intent, sentiment) if operator_language.startswith("zh") else text
    )
    return Understanding(language, intent, sentiment, translation, operator_language)


def priority(intent: str, sentiment: str, due_at: datetime | None, now: datetime) -> int:
    """0 low … 3 urgent: complaints and negative delivery problems first, then time left."""
    score = {
        "complaint": 2,
        "delivery_problem": 1,
        "cancellation": 1,
        "address_change": 1,
        "return_refund": 1,
    }.get(intent, 0)
    if sentiment == "negative":
        score += 1
    if due_at is not None and due_at - now < timedelta(hours=4):
        score += 1
    return min(score, 3)
