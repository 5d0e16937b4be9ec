"""`manage.py support_demo_imap`: serve the demo store's relay mailbox from a local Dovecot
(127.0.0.1:1143, user demo) and put a few new buyer mails in it, so beat's poll shows the IMAP
path working on `make run`. Started by scripts/run_all.py when Dovecot is installed; if it
cannot start (port taken, no Dovecot) it says so and idles, never stopping the others."""

from __future__ import annotations

import imaplib
import signal
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.support.demo import DEMO_IMAP_PASSWORD, DEMO_IMAP_PORT, DEMO_IMAP_USER
from apps.support.devimap import start_dovecot
from apps.support.sample_mail import relay_mail

MAILS = [
    ("Hi, my order has not arrived yet. Can you check the tracking?", "Olivia", "en"),
    ("Hola, ¿es compatible con el Galaxy S24?", "Diego", "es"),
    ("注文した商品がまだ届いていません。", "Yui", "ja"),
]


class Command(BaseCommand):
    help = "Serve the demo relay mailbox over IMAP (local Dovecot) until stopped."

    def handle(self, *args, **options):
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        signal.signal(signal.SIGINT, lambda *_: stop.append(1))
        try:
            server = start_dovecot(
                DEMO_IMAP_USER,
                DEMO_IMAP_PASSWORD,
                port=DEMO_IMAP_PORT,
                root=settings.BASE_DIR / ".data" / "imap",
            )
        except (OSError, RuntimeError) as exc:
            self.stderr.write(f"Demo IMAP server not started: {exc}")
            while not stop:
                time.sleep(1)
            return
        self.stdout.write(
            f"Demo IMAP mailbox on 127.0.0.1:{DEMO_IMAP_PORT} (user {DEMO_IMAP_USER})"
        )
        self._fill(server)
        while not stop and server.proc.poll() is None:
            time.sleep(1)
        server.stop(remove=False)

    def _fill(self, server) -> None:
        client = imaplib.IMAP4(server.host, server.port)
        client.login(server.user, server.password)
        client.select("INBOX")
        _typ, data = client.uid("SEARCH", None, "ALL")
        if not (data and data[0]):
            now = datetime.now(tz=UTC)
            for i, (text, name, lang) in enumerate(MAILS):
                raw = relay_mail(
                    text=text,
                    order_id=f"114-900000{i}-000000{i}",
                    buyer=name,
                    alias_=f"demoimapbuyer{i:02d}",
                    marketplace="amazon_us",
                    when=now - timedelta(minutes=30 * (i + 1)),
                    message_id=f"<demo-imap-{i}-{lang}@email.amazonses.com>",
                )
                client.append("INBOX", None, None, raw)
        client.logout()
