"""Real mail servers for the tests: Dovecot (apps.support.devimap, on a free port with a temporary
configuration) and an aiosmtpd SMTP server that keeps what it receives. Both are started and
stopped by the test suite itself."""

from __future__ import annotations

from email import message_from_bytes, policy

from apps.support.devimap import free_port, start_dovecot

__all__ = ["Smtp", "start_dovecot"]


class Smtp:
    """aiosmtpd on a free port; `messages` holds each received mail as an EmailMessage."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mail = message_from_bytes(envelope.content, policy=policy.default)
                outer.messages.append((envelope.rcpt_tos, mail))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> Smtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
