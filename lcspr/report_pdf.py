"""The final report as the public gets it: checked for what identifies the case, and
published without the file's hidden parts.

A report is written in a word processor by people who know the family. Its text is
checked like every other published text (names, dates of birth, the case reference:
`identifying_patterns`), and so are the parts nobody sees on the page: the document
properties (title, author, subject, keywords), the XMP metadata, comments and other
annotations, attachments and scripts. The public copy keeps the pages, their tags and
links, with the public title and the partnership as its only properties. (ADR 0012.)
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

from .services.briefing import as_found

logger = logging.getLogger(__name__)

#: Annotations kept on the public copy: links. Comments, notes, highlights with notes,
#: attached files, form fields and the rest go (they carry authors' names and remarks).
KEPT_ANNOTATIONS = {"/Link"}


class UnreadableReport(ValueError):
    """A PDF whose text cannot be read: password-protected or damaged."""


@dataclass(frozen=True)
class ReportFinding:
    what: str
    where: str  # "page 3", "the file's properties"

    def __str__(self) -> str:
        return f"‘{self.what}’ ({self.where})"


def _reader(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableReport("The final report must not be password protected")
        len(reader.pages)
    except UnreadableReport:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        logger.info("Unreadable report PDF: %s", error)
        raise UnreadableReport(
            "The final report could not be read: save it as a PDF again"
        ) from None
    return reader


#: Keys of a tagged PDF's structure elements that hold text read aloud or shown instead
#: of the page: alternative text (a picture's description), replacement text, expansions.
STRUCTURE_TEXT = ("/Alt", "/ActualText", "/E", "/T")
#: Structure elements read at most (a report's tags number in the thousands, not more).
STRUCTURE_LIMIT = 200_000


def _outline_titles(outline, out: list[str]) -> None:
    for item in outline:
        if isinstance(item, list):
            _outline_titles(item, out)
        else:
            title = getattr(item, "title", None)
            if title:
                out.append(str(title))


def _structure_texts(root, out: list[str]) -> None:
    """The alternative and replacement texts of the structure tree (a picture of a family
    tree described as "Genogram: <names>" is on no page's text)."""
    if "/StructTreeRoot" not in root:
        return
    stack, seen = [root["/StructTreeRoot"]], 0
    while stack and seen < STRUCTURE_LIMIT:
        node = stack.pop()
        try:
            node = node.get_object()
        except (PdfReadError, ValueError, AttributeError):
            continue
        seen += 1
        if isinstance(node, ArrayObject):
            stack.extend(node)
            continue
        if not hasattr(node, "get"):
            continue
        for key in STRUCTURE_TEXT:
            value = node.get(key)  # a dictionary's get resolves an indirect value
            if isinstance(value, str):
                out.append(str(value))
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)


def _hidden_texts(reader: PdfReader) -> list[str]:
    """Text a reader does not see on the page: properties, XMP, annotation contents,
    bookmarks, and the tags' alternative texts."""
    texts = [str(value) for value in (reader.metadata or {}).values()]
    try:
        _outline_titles(reader.outline, texts)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        pass
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        try:
            texts.append(root["/Metadata"].get_object().get_data().decode("utf-8", "replace"))
        except (PdfReadError, ValueError, AttributeError):
            pass
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            for key in ("/Contents", "/T", "/Subj", "/RC"):
                if key in annotation:
                    texts.append(str(annotation[key]))
    _structure_texts(root, texts)
    return texts


def identifying_in_report(data: bytes, patterns) -> list[ReportFinding]:
    """Where the report names what `patterns` (lcspr.services.briefing.identifying_patterns)
    forbid: the first page each is on, or the file's hidden parts."""
    reader = _reader(data)
    pages = []
    for page in reader.pages:
        try:
            pages.append(page.extract_text() or "")
        except (PdfReadError, ValueError, KeyError, TypeError):
            pages.append("")
    if pages and not any(text.strip() for text in pages):
        raise UnreadableReport(
            "The final report has no text that can be read (it may be a scan): publish a "
            "PDF saved from the document, so that it can be checked and read aloud"
        )
    hidden = "\n".join(_hidden_texts(reader))
    found = []
    for term, pattern in patterns:
        for number, text in enumerate(pages, start=1):
            match = pattern.search(text)
            if match:
                found.append(ReportFinding(as_found(term, match), f"page {number}"))
                break
        else:
            match = pattern.search(hidden)
            if match:
                found.append(ReportFinding(as_found(term, match), "the file’s hidden properties"))
    return found


def _xmp(title: str, author: str, ua_part: str | None) -> bytes:
    """A minimal XMP packet: the public title and the partnership, and the PDF/UA
    identification if the report had it (screen readers and checkers rely on it)."""
    ua = f"<pdfuaid:part>{escape(ua_part)}</pdfuaid:part>" if ua_part else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
        f"</dc:title><dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq>"
        f"</dc:creator>{ua}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def _ua_part(root) -> str | None:
    if "/Metadata" not in root:
        return None
    try:
        xml = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    except (PdfReadError, ValueError, AttributeError):
        return None
    match = re.search(r"pdfuaid:part(?:>|=[\"'])\s*(\d+)", xml)
    return match.group(1) if match else None


def public_copy(data: bytes, *, title: str, author: str) -> bytes:
    """The pages, their structure (tags, language, bookmarks, named destinations) and
    links, with neutral properties: no comments, attachments, scripts or form fields."""
    writer = PdfWriter(clone_from=_reader(data))
    root = writer._root_object
    ua_part = _ua_part(root)
    for key in ("/OpenAction", "/AA", "/AcroForm", "/PieceInfo"):
        if key in root:
            del root[NameObject(key)]
    if "/Names" in root:
        names = root["/Names"].get_object()
        for key in ("/EmbeddedFiles", "/JavaScript"):
            if key in names:
                del names[NameObject(key)]
    for page in writer.pages:
        for key in ("/PieceInfo", "/AA", "/Metadata"):
            if key in page:
                del page[NameObject(key)]
        if "/Annots" in page:
            kept = ArrayObject(
                a for a in page["/Annots"] if a.get_object().get("/Subtype") in KEPT_ANNOTATIONS
            )
            if kept:
                page[NameObject("/Annots")] = kept
            else:
                del page[NameObject("/Annots")]
    writer.metadata = None
    writer.add_metadata({"/Title": title, "/Author": author, "/Producer": ""})
    xmp = DecodedStreamObject()
    xmp.set_data(_xmp(title, author, ua_part))
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    root[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
