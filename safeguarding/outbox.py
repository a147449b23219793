"""Reading the local outbox (the file e-mail backend of the embedded default).

Django's file backend writes one file per connection, each message followed by a line of
79 hyphens. Only files directly in EMAIL_FILE_PATH whose names look like its own are read.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .dates import date_and_time

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
NAME = re.compile(r"^[\w.-]+\.log$")
MAX_FILES = 500


@dataclass(frozen=True)
class OutboxMessage:
    file: str
    index: int
    subject: str
    to: str
    date: str
    message_id: str
    text: str


def _folder() -> Path:
    return Path(getattr(settings, "EMAIL_FILE_PATH", "") or ".")


def _parse(file: str, index: int, raw: bytes) -> OutboxMessage:
    msg = email.message_from_bytes(raw.lstrip(b"\n"), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return OutboxMessage(
        file=file,
        index=index,
        subject=str(msg.get("Subject", "")),
        to=str(msg.get("To", "")),
        date=_date_text(msg.get("Date")),
        message_id=str(msg.get("Message-ID", "")),
        text=text,
    )


def _date_text(header) -> str:
    """A message's Date header as the service writes a moment ("7 December 2026,
    10:01am", UK time), not as e-mail writes it ("Mon, 07 Dec 2026 10:01:41 -0000"); one
    that cannot be read, as it is."""
    moment = getattr(header, "datetime", None)
    if moment is None:
        return str(header or "")
    if timezone.is_naive(moment):  # "-0000": UTC, its origin unknown (RFC 5322)
        moment = moment.replace(tzinfo=dt.UTC)
    return date_and_time(moment)


def _messages_in(path: Path) -> list[bytes]:
    return [part for part in path.read_bytes().split(SEPARATOR) if part.strip()]


def outbox_files() -> list[Path]:
    folder = _folder()
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and NAME.match(p.name)]
    files.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    return files[:MAX_FILES]


def outbox_messages() -> list[OutboxMessage]:
    """Every message in the outbox, newest first."""
    found = []
    for path in outbox_files():
        parts = _messages_in(path)
        for index in reversed(range(len(parts))):
            found.append(_parse(path.name, index, parts[index]))
    return found


def outbox_message(file: str, index: int) -> OutboxMessage | None:
    if not NAME.match(file):
        return None
    path = _folder() / file
    if not path.is_file() or path.parent.resolve() != _folder().resolve():
        return None
    parts = _messages_in(path)
    if not 0 <= index < len(parts):
        return None
    return _parse(file, index, parts[index])
