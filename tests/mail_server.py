"""A real SMTP server for tests (aiosmtpd) on a spare loopback port: what it receives is
kept, parsed, in `inbox.messages`."""

import socket
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def text_of(message) -> str:
    """The plain-text part of a received message."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def every_part_of(message) -> str:
    """Every text part of a received message (plain and HTML), decoded, one after another."""
    return "\n".join(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )


def subject_of(message) -> str:
    """A received message's subject, decoded (one with a non-ASCII character, such as the
    dash before the service's name, travels encoded) and on one line."""
    from email.header import decode_header, make_header

    return " ".join(str(make_header(decode_header(message["Subject"]))).split())


def subject_words(message) -> str:
    """The words of a subject that ends with the service's name, as every e-mail about
    a person's own sign-in does: "Your password was changed – <service>" (an en dash,
    as the password reset's), which it is checked to have."""
    from django.conf import settings

    subject = subject_of(message)
    ending = f" – {settings.SERVICE_NAME}"
    assert subject.endswith(ending), subject
    return subject.removesuffix(ending)
