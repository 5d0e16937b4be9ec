"""Parse marketplace relay mails (RFC 822 bytes) into what a conversation needs.

Amazon's Buyer-Seller Messaging relays a buyer's message from a per-buyer alias
(`<15 chars>@marketplace.amazon.<tld>`, display name "<first name> - Amazon Marketplace"); the
order id is in the subject (`(Order: 113-…)`, `(Bestellung: 028-…)`, …) and the body; the
buyer's text sits between dashed markers whose wording varies (`Begin message`, `Message:`,
… `End message`), followed by a footer and a `[commMgrTok:…]` token. eBay relays from
`…@members.ebay.<tld>` with the item number in the subject and the text after "New message
from:" up to its footer. Quoted history below the buyer's text is cut by a maintained reply
parser (mail-parser-reply). Pure functions: no database.
"""

from __future__ import annotations

import email
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

ORDER_ID = re.compile(r"\b(\d{3}-\d{7}-\d{7})\b")
EBAY_ORDER_ID = re.compile(r"\b(\d{2}-\d{5}-\d{5})\b")
SUBJECT_ORDER = re.compile(
    r"\((?:Order|Bestellung|Commande|Pedido|Ordine|Bestelling|注文番号|Zamówienie)\s*[:：#]?\s*"
    r"(\d{3}-\d{7}-\d{7})\)",
    re.IGNORECASE,
)
ASIN = re.compile(r"\[ASIN:\s*([A-Z0-9]{10})\]|\b(B0[A-Z0-9]{8})\b")
SKU = re.compile(r"\[SKU:\s*([^\]\s]{1,100})\]")
EBAY_ITEM = re.compile(r"#\s?(\d{9,15})\b|Item (?:ID|number|Nr\.?)\s*:?\s*(\d{9,15})", re.I)
MARKER = re.compile(r"^\s*-{3,}\s*([^\n-][^\n]*?)\s*-{3,}\s*$", re.MULTILINE)
END_WORDS = re.compile(r"\b(end|ende|fin|fine|einde|koniec)\b|終了|終わり", re.IGNORECASE)
TOKEN = re.compile(r"\[commMgrTok:[^\]]*\]")
AMAZON_FOOTER = re.compile(
    r"^\s*(For Your Information:|To respond to this customer|Zur Information:|"
    r"Pour votre information|Para su información|Per tua informazione|ご参考:)",
    re.MULTILINE | re.IGNORECASE,
)
EBAY_START = re.compile(r"^\s*New message from:.*$", re.MULTILINE | re.IGNORECASE)
EBAY_FOOTER = re.compile(
    r"^\s*(Reply\s*$|Email reference id:|Only purchases on eBay are covered|"
    r"eBay sent this message|This message was sent|Item ID:|Order number:)",
    re.MULTILINE | re.IGNORECASE,
)
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "ja", "nl", "pl", "zh"]
_reply_parser = EmailReplyParser(languages=REPLY_LANGUAGES)


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    sent_at: datetime
    sender: str  # the alias to reply to
    sender_name: str
    buyer_name: str
    channel: str  # amazon | ebay | other
    marketplace_order_id: str
    asins: list[str]
    skus: list[str]
    text: str
    in_reply_to: str = ""
    references: str = ""
    hidden_text: bool = False
    attachments: list[ParsedAttachment] = field(default_factory=list)
    raw_size: int = 0


class _HtmlText(HTMLParser):
    """Visible text of an HTML part, and whether some text was hidden from a reader."""

    HIDDEN = re.compile(
        r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|"
        r"opacity\s*:\s*0(?![.\d]*[1-9])|color\s*:\s*(#fff\b|#ffffff|white)",
        re.IGNORECASE,
    )
    VOID = {"br", "img", "hr", "meta", "input", "link", "wbr", "col", "area", "base", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")
        if tag in self.VOID:
            return
        style = dict(attrs).get("style") or ""
        hidden = bool(self.HIDDEN.search(style)) or "hidden" in dict(attrs)
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))
        if tag in ("script", "style", "head", "title"):
            self.stack[-1] = True

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        if tag in ("p", "div", "tr"):
            self.parts.append("\n")

    def handle_data(self, data):
        if self.stack and self.stack[-1]:
            if data.strip() and not TOKEN.fullmatch(data.strip()):
                self.hidden.append(data)
        else:
            self.parts.append(data)


def html_text(html: str) -> tuple[str, bool]:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    hidden = any(h.strip() for h in parser.hidden if not re.fullmatch(r"\s*", h))
    return "".join(parser.parts), hidden


def strip_invisible(text: str) -> tuple[str, bool]:
    """Text without zero-width/format characters (kept: newline, tab); whether any were there."""
    kept = [c for c in text if unicodedata.category(c) != "Cf" or c in "\n\t"]
    return "".join(kept), len(kept) != len(text)


def _header(msg: Message, name: str) -> str:
    """A header decoded from RFC 2047 words (the compat32 parser leaves them encoded: it is
    several times faster than the modern policy on relay mails, and we read five headers)."""
    value = msg.get(name)
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (HeaderParseError, LookupError, UnicodeDecodeError):
        return str(value)


def _body_parts(msg: Message) -> tuple[str, str, list[ParsedAttachment]]:
    plain, html, attachments = "", "", []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        ctype = part.get_content_type()
        if disposition == "attachment" or (
            part.get_filename() and ctype not in ("text/plain", "text/html")
        ):
            payload = part.get_payload(decode=True) or b""
            name = part.get_filename() or "attachment.bin"
            attachments.append(ParsedAttachment(name[:255], ctype[:127], payload))
            continue
        payload = part.get_payload(decode=True) or b""
        try:
            content = payload.decode(part.get_content_charset() or "utf-8", "replace")
        except LookupError:  # an unknown charset name
            content = payload.decode("utf-8", "replace")
        if ctype == "text/plain" and not plain:
            plain = content
        elif ctype == "text/html" and not html:
            html = content
    return plain, html, attachments


def _between_markers(text: str) -> str | None:
    """The text between the relay's begin and end markers (None: no markers)."""
    markers = list(MARKER.finditer(text))
    if not markers:
        return None
    end = next((m for m in markers if END_WORDS.search(m.group(1))), None)
    begin = next(
        (
            m
            for m in markers
            if not END_WORDS.search(m.group(1)) and (end is None or m.start() < end.start())
        ),
        None,
    )
    start = begin.end() if begin else 0
    stop = end.start() if end else len(text)
    return text[start:stop]


def _without_quotes(text: str) -> str:
    text = text.replace("\r\n", "\n").strip("\n")
    try:
        reply = _reply_parser.parse_reply(text)
    except Exception:  # a parser failure keeps the whole text, never drops the message
        reply = None
    return (reply if reply and reply.strip() else text).strip()


def buyer_text(body: str, channel: str) -> str:
    body = TOKEN.sub("", body.replace("\r\n", "\n"))
    if channel == "amazon":
        inner = _between_markers(body)
        if inner is None:
            footer = AMAZON_FOOTER.search(body)
            inner = body[: footer.start()] if footer else body
    elif channel == "ebay":
        start = EBAY_START.search(body)
        inner = body[start.end() :] if start else body
        footer = EBAY_FOOTER.search(inner)
        inner = inner[: footer.start()] if footer else inner
    else:
        inner = body
    return _without_quotes(inner)


def _channel(address: str) -> str:
    domain = address.rsplit("@", 1)[-1].lower()
    if re.search(r"(^|\.)marketplace\.amazon\.", domain):
        return "amazon"
    if re.search(r"(^|\.)(members\.)?ebay\.", domain):
        return "ebay"
    return "other"


def _buyer_name(display: str, subject: str) -> str:
    name = re.sub(r"\s*-\s*(Amazon Marketplace|Amazon)\s*$", "", display or "").strip()
    if name:
        return name[:200]
    found = re.search(r"(?:customer|Kunde|client|cliente)\s+([^\s(]+)", subject, re.IGNORECASE)
    return found.group(1)[:200] if found else ""


def _order_id(subject: str, body: str, channel: str) -> str:
    found = SUBJECT_ORDER.search(subject) or ORDER_ID.search(subject) or ORDER_ID.search(body)
    if found is None and channel == "ebay":
        found = EBAY_ORDER_ID.search(subject) or EBAY_ORDER_ID.search(body)
    return found.group(1) if found else ""


def _date(msg: Message) -> datetime:
    try:
        value = parsedate_to_datetime(_header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return datetime.now(tz=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse(raw: bytes) -> ParsedMail:
    """A relay mail's parts. Raises ValueError for bytes that are not a mail with a sender."""
    msg = email.message_from_bytes(raw)
    if not _header(msg, "From"):
        raise ValueError("Not an RFC 822 message with a From header.")
    reply_to = getaddresses([_header(msg, "Reply-To")]) or []
    sender_name, sender = (getaddresses([_header(msg, "From")]) or [("", "")])[0]
    if reply_to and reply_to[0][1]:
        sender_name, sender = reply_to[0][0] or sender_name, reply_to[0][1]
    if "@" not in sender:
        raise ValueError("The sender has no address.")
    channel = _channel(sender)
    subject = " ".join(_header(msg, "Subject").split())[:500]
    plain, html, attachments = _body_parts(msg)
    hidden = False
    if html:
        html_plain, hidden = html_text(html)
        plain = plain or html_plain
    text, invisible = strip_invisible(buyer_text(plain, channel))
    whole = f"{subject}\n{plain}"
    asins = list(dict.fromkeys(a or b for a, b in ASIN.findall(whole)))
    skus = list(dict.fromkeys(SKU.findall(whole)))
    if channel == "ebay":
        skus += [a or b for a, b in EBAY_ITEM.findall(whole) if (a or b) not in skus]
    return ParsedMail(
        message_id=_header(msg, "Message-ID").strip()[:998],
        subject=subject,
        sent_at=_date(msg),
        sender=sender.lower()[:255],
        sender_name=sender_name,
        buyer_name=_buyer_name(sender_name, subject),
        channel=channel,
        marketplace_order_id=_order_id(subject, plain, channel),
        asins=asins[:20],
        skus=skus[:20],
        text=text,
        in_reply_to=_header(msg, "In-Reply-To").strip()[:998],
        references=" ".join(_header(msg, "References").split())[:4000],
        hidden_text=hidden or invisible,
        attachments=attachments,
        raw_size=len(raw),
    )
