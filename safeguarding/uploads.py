"""Uploaded files: size and type limits by content sniffing, private storage, safe names.

The type is decided from the bytes (puremagic), never from the file name or the browser's
claimed type. Files are stored under MEDIA_ROOT with random names; MEDIA_ROOT has no URL,
so the only way to a file is a view that checks permission and audits the download.
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse

#: content type -> (extension stored, what users call it)
ALLOWED_TYPES = {
    "application/pdf": (".pdf", "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx", "Word"),
    "application/vnd.oasis.opendocument.text": (".odt", "OpenDocument text"),
    "image/png": (".png", "PNG image"),
    "image/jpeg": (".jpg", "JPEG image"),
}
ALLOWED_DESCRIPTION = "a PDF, Word (.docx), OpenDocument text, PNG or JPEG file"


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str


def max_upload_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Raise a ValidationError in GOV.UK words unless the file is small enough and really is
    one of the allowed types."""
    limit = max_upload_bytes()
    if upload.size == 0:
        raise ValidationError("The selected file is empty")
    if upload.size > limit:
        raise ValidationError(f"The selected file must be smaller than {limit // (1024 * 1024)} MB")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        content_type = puremagic.from_string(data, mime=True)
    except puremagic.PureError:
        content_type = ""
    if content_type in DOCUMENT_PARTS or data.startswith(b"PK\x03\x04"):
        # Every ZIP starts with the same bytes, and puremagic names any of them a Word
        # file (an OpenDocument text was refused as a Word file without Word's parts):
        # what is inside the archive says which it is.
        content_type = _zip_document_type(data)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(f"The selected file must be {ALLOWED_DESCRIPTION}")
    extension, _ = ALLOWED_TYPES[content_type]
    name = _short_name(os.path.basename(upload.name or "file") or "file")
    return CheckedUpload(
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=name,
    )


#: What a word-processing file, a ZIP inside, must hold (any ZIP starts with the same
#: bytes, so sniffing alone would take an archive of anything for a Word file).
DOCUMENT_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "[Content_Types].xml",
        "word/document.xml",
    },
    "application/vnd.oasis.opendocument.text": {"mimetype", "content.xml"},
}


#: The most an OpenDocument file's "mimetype" entry is read (it holds the type's name,
#: 39 bytes): an entry that says it is longer is not read at all, so a small upload
#: cannot make the server unpack gigabytes (a "zip bomb").
MIMETYPE_LIMIT = 100


def _zip_document_type(data: bytes) -> str:
    """The word-processing type of a ZIP by the parts it holds (`DOCUMENT_PARTS`), or ""
    for an archive of anything else. Reads its list of names and, for OpenDocument, its
    short "mimetype" entry only: nothing else is unpacked."""
    word, odt = DOCUMENT_PARTS
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if DOCUMENT_PARTS[word] <= names:
                return word
            if DOCUMENT_PARTS[odt] <= names:
                entry = archive.getinfo("mimetype")
                if entry.file_size > MIMETYPE_LIMIT:
                    return ""
                with archive.open(entry) as stream:
                    if stream.read(MIMETYPE_LIMIT + 1).strip() == odt.encode():
                        return odt
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError):
        pass
    return ""


NAME_LIMIT = 150


def _short_name(name: str) -> str:
    """At most 150 characters, keeping the extension (a long name cut short lost it)."""
    if len(name) <= NAME_LIMIT:
        return name
    stem, extension = os.path.splitext(name)
    extension = extension[:10]
    return stem[: NAME_LIMIT - len(extension)] + extension


def private_name(prefix: str, checked: CheckedUpload) -> str:
    """A storage path that reveals nothing: <prefix>/<random><ext>."""
    return f"{prefix}/{uuid.uuid4().hex}{checked.extension}"


#: Other endings people give a file of these types (the stored one is first in
#: ALLOWED_TYPES).
OTHER_EXTENSIONS = {"image/jpeg": (".jpeg",)}


def download_name(filename: str, content_type: str) -> str:
    """The name a download is saved under: the uploaded name, with the ending of the type
    its content was found to be when the name lacks it (a PDF uploaded as "Draft report"
    or "terms.docx" was saved with no ending or the wrong one, and did not open)."""
    known = ALLOWED_TYPES.get(content_type)
    if known is None:
        return filename
    endings = (known[0], *OTHER_EXTENSIONS.get(content_type, ()))
    if os.path.splitext(filename)[1].lower() in endings:
        return filename
    return filename + known[0]


#: Characters a file name cannot hold on Windows (and "/" anywhere), with the control
#: characters: each is written "_" in a name given to a file in an archive.
UNSAFE_IN_NAMES = frozenset('<>:"/\\|?*\x7f') | frozenset(chr(c) for c in range(32))
#: Names Windows keeps for devices, with or without an ending ("CON.pdf" cannot be made).
WINDOWS_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}
)


def safe_file_name(name: str, *, default: str = "file") -> str:
    """`name` as a file can be called on any computer it is unpacked on: one name, never a
    path (no "/" or "\\", not "." or ".."), no character Windows refuses, no leading dot
    (a hidden file) or trailing dot or space (Windows drops them), not a device name, at
    most 150 characters with its ending kept; `default` if nothing is left."""
    name = unicodedata.normalize("NFC", name)
    name = "".join("_" if char in UNSAFE_IN_NAMES else char for char in name)
    name = name.strip(" .") or default
    if name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_DEVICE_NAMES:
        name = "_" + name
    return _short_name(name).rstrip(" .") or default


def download_response(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Always an attachment, never rendered inline by the browser, named with the ending
    of its type (`download_name`)."""
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=download_name(filename, content_type),
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def delete_after_commit(storage, *names: str) -> None:
    """Delete these stored files once the transaction that let go of them commits (never
    before: a rollback keeps the record pointing at them). A file no record points to is
    invisible to a subject access export and to deletion, so none is left behind."""
    from django.db import transaction

    names = tuple(name for name in names if name)
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def replace_stored(field_file, name: str, content) -> None:
    """Save `content` as the field's file (unsaved record) and delete the one it replaces
    after commit."""
    old = field_file.name
    field_file.save(name, content, save=False)
    if old and old != field_file.name:
        delete_after_commit(field_file.storage, old)
