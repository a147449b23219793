"""The final report as the public gets it: checked for what identifies the case, and
published without the file's hidden parts.

A report is written in a word processor by people who know the family. Its text is
checked like every other published text (names, dates of birth, the case reference:
`identifying_patterns`), and so are the parts nobody sees on the page: the document
properties (title, author, subject, keywords), the XMP metadata, comments and other
annotations, attachments and scripts, links' addresses and actions, named destinations,
associated files and the pictures' XMP. The public copy keeps the pages, their tags and
links (to a page of the report or a web address, nothing else), with the public title and
the partnership as its only properties. (ADR 0012.)
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from .services.briefing import as_found

logger = logging.getLogger(__name__)

#: Annotations kept on the public copy: links. Comments, notes, highlights with notes,
#: attached files, form fields and the rest go (they carry authors' names and remarks).
KEPT_ANNOTATIONS = {"/Link"}
#: What a kept link keeps: where it is and how it is drawn, and in a tagged report its
#: description and its place in the tags (a screen reader needs both; the description is
#: checked like every annotation's text). Its target is rebuilt (`_target`).
LINK_KEYS = {
    "/Type",
    "/Subtype",
    "/Rect",
    "/Border",
    "/BS",
    "/QuadPoints",
    "/Contents",
    "/StructParent",
}
#: The only addresses a public link or bookmark may open. Every other action goes: a
#: script, a program to launch, a form to submit or import, another file to open.
WEB_ADDRESSES = ("https://", "http://")
#: Catalogue entries the public copy drops: actions run on opening, forms, attachments
#: (PDF 2.0 associated files, portfolios), scripts and the other name trees, named
#: destinations (links and bookmarks are given the page instead), the authoring
#: application's data, web-capture sources.
DROPPED_FROM_CATALOGUE = (
    "/OpenAction",
    "/AA",
    "/AcroForm",
    "/AF",
    "/Collection",
    "/Dests",
    "/Names",
    "/PieceInfo",
    "/SpiderInfo",
    "/URI",
)
#: Keys the public copy drops wherever they are (pages, pictures, fonts, tags): associated
#: files, actions run on an event, XMP packets, the authoring application's data.
DROPPED_EVERYWHERE = ("/AF", "/AA", "/OpenAction", "/Metadata", "/PieceInfo")

#: Where a hidden finding is, as the officer is told it.
PROPERTIES = "the file’s hidden properties"
LINKS = "the file’s links and actions"
DESTINATIONS = "the file’s named destinations"
ATTACHMENTS = "a file attached to the report"
PICTURES = "the hidden properties of a picture"

#: Read at most: entries of a name tree or bookmarks, actions chained to one action,
#: pictures and forms drawn by a page, and the bytes of an attached file read as text.
NAMES_LIMIT = 100_000
ACTIONS_LIMIT = 100
XOBJECTS_LIMIT = 10_000
ATTACHED_TEXT_LIMIT = 2_000_000


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


def _resolved(value):
    """The object `value` refers to; None if it is missing or its reference is broken."""
    if value is None:
        return None
    try:
        return value.get_object()
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _text(value) -> str:
    """A string, a name or a stream (a script, an attached file, an XMP packet) as text;
    "" for anything else. Of a stream, its first `ATTACHED_TEXT_LIMIT` bytes."""
    value = _resolved(value)
    if isinstance(value, StreamObject):
        try:
            data = value.get_data()[:ATTACHED_TEXT_LIMIT]
        except (PyPdfError, ValueError, KeyError, TypeError, NotImplementedError):
            return ""
        if data.startswith((b"\xfe\xff", b"\xff\xfe")):
            return data.decode("utf-16", "replace")
        return data.decode("utf-8", "replace")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value) if isinstance(value, str) else ""


def _addresses(address: str) -> list[str]:
    """An address or a file name as written and decoded (%20 and + as spaces, and an
    address encoded twice over), so that ".../Amelia%20Zephyrine" names her."""
    decoded = address
    for _ in range(3):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    return [address, decoded, unquote_plus(decoded)]


def _searchable(texts: list[str]) -> str:
    """The texts as one, and again with underscores read as spaces: to a pattern an
    underscore is part of a word, and "Amelia_Zephyrine.docx" names her."""
    joined = "\n".join(texts)
    return f"{joined}\n{joined.replace('_', ' ')}" if "_" in joined else joined


def _name_tree(node) -> Iterator[tuple[object, object]]:
    """The (name, value) pairs of a name tree (/Names/Dests, /Names/EmbeddedFiles...)."""
    stack, count = [node], 0
    while stack and count < NAMES_LIMIT:
        node = _resolved(stack.pop())
        count += 1
        if not isinstance(node, DictionaryObject):
            continue
        pairs = _resolved(node.get("/Names"))
        if isinstance(pairs, ArrayObject):
            for index in range(0, len(pairs) - 1, 2):
                count += 1
                yield _resolved(pairs[index]), pairs[index + 1]
        kids = _resolved(node.get("/Kids"))
        if isinstance(kids, ArrayObject):
            stack.extend(kids)


def _named_destinations(root) -> Iterator[tuple[object, object]]:
    """(name, destination) of the named destinations, old style (/Dests) and new
    (/Names/Dests). Their names are text a reader does not see."""
    dests = _resolved(root.get("/Dests"))
    if isinstance(dests, DictionaryObject):
        yield from dests.items()
    names = _resolved(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        yield from _name_tree(names.get("/Dests"))


def _destination_name(value) -> str | None:
    """The name of a named destination (/Dest (chronology) or /Dest /chronology); None for
    an explicit destination ([page /Fit])."""
    value = _resolved(value)
    if isinstance(value, NameObject):
        return str(value)[1:]
    if isinstance(value, (str, bytes)):
        return _text(value)
    return None


def _first_visit(reference, seen: set) -> bool:
    """Whether `reference` (an object, or a reference to one) is met for the first time;
    it is then counted in `seen`. A file can refer back to an object already walked."""
    key = reference.idnum if isinstance(reference, IndirectObject) else id(reference)
    if key in seen:
        return False
    seen.add(key)
    return True


def _outline_items(root) -> Iterator[DictionaryObject]:
    """The bookmarks as they are in the file (with their targets and actions)."""
    outlines = _resolved(root.get("/Outlines"))
    if not isinstance(outlines, DictionaryObject) or "/First" not in outlines:
        return
    stack, seen = [outlines.raw_get("/First")], set()
    while stack and len(seen) < NAMES_LIMIT:
        reference = stack.pop()
        if not _first_visit(reference, seen):
            continue
        item = _resolved(reference)
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.raw_get(link) for link in ("/Next", "/First") if link in item)


def _file_texts(spec, texts: dict[str, list[str]], where: str = ATTACHMENTS) -> None:
    """A file specification's names and description, and the file's text if it has one."""
    spec = _resolved(spec)
    if not isinstance(spec, DictionaryObject):
        texts[where].extend(_addresses(_text(spec)))
        return
    for key in ("/F", "/UF", "/DOS", "/Mac", "/Unix", "/Desc"):
        if key in spec:
            texts[where].extend(_addresses(_text(spec[key])))
    files = _resolved(spec.get("/EF"))
    if isinstance(files, DictionaryObject):
        texts[where].extend(_text(file) for file in files.values())


def _associated_files(holder, texts: dict[str, list[str]]) -> None:
    """The files a catalogue, a page, a picture or a tag carries as /AF (PDF 2.0)."""
    files = _resolved(holder.get("/AF"))
    for spec in files if isinstance(files, ArrayObject) else [files]:
        if spec is not None:
            _file_texts(spec, texts)


def _action_texts(action, texts: dict[str, list[str]]) -> None:
    """What an action, and the actions it chains to, names: a web address, a script, a
    program or file to open, a form's address, a named destination."""
    stack, count = [action], 0
    while stack and count < ACTIONS_LIMIT:
        action = _resolved(stack.pop())
        count += 1
        if isinstance(action, ArrayObject):
            stack.extend(action)
            continue
        if not isinstance(action, DictionaryObject):
            continue
        if "/URI" in action:
            texts[LINKS].extend(_addresses(_text(action["/URI"])))
        if "/JS" in action:
            texts[LINKS].append(_text(action["/JS"]))
        if "/F" in action:
            _file_texts(action["/F"], texts, LINKS)
        launch = _resolved(action.get("/Win"))
        if isinstance(launch, DictionaryObject):
            texts[LINKS].extend(_text(value) for value in launch.values())
        name = _destination_name(action.get("/D"))
        if name:
            texts[DESTINATIONS].append(name)
        if "/Next" in action:
            stack.append(action.raw_get("/Next"))


def _additional_actions(holder, texts: dict[str, list[str]]) -> None:
    actions = _resolved(holder.get("/AA"))
    if isinstance(actions, DictionaryObject):
        for action in actions.values():
            _action_texts(action, texts)


def _xobjects(page) -> Iterator[StreamObject]:
    """The pictures and forms a page draws, and those its forms draw."""
    stack, seen = [page.get("/Resources")], set()
    while stack and len(seen) < XOBJECTS_LIMIT:
        resources = _resolved(stack.pop())
        if not isinstance(resources, DictionaryObject):
            continue
        xobjects = _resolved(resources.get("/XObject"))
        if not isinstance(xobjects, DictionaryObject):
            continue
        for reference in xobjects.values():
            if not _first_visit(reference, seen):
                continue
            xobject = _resolved(reference)
            if isinstance(xobject, StreamObject):
                yield xobject
                if "/Resources" in xobject:
                    stack.append(xobject.raw_get("/Resources"))


def _structure_texts(root, texts: dict[str, list[str]]) -> None:
    """The alternative and replacement texts of the structure tree (a picture of a family
    tree described as "Genogram: <names>" is on no page's text), and the files its
    elements carry."""
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
            value = _resolved(node.get(key))
            if isinstance(value, str):
                texts[PROPERTIES].append(str(value))
        if "/AF" in node:
            _associated_files(node, texts)
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)


def _hidden_texts(reader: PdfReader) -> dict[str, list[str]]:
    """Text a reader does not see on the page, by where it is: properties, XMP,
    annotation contents, bookmarks and the tags' alternative texts; the addresses, scripts
    and files of links and other actions; the names of named destinations; attached and
    associated files (their names, descriptions and text); the pictures' XMP."""
    texts: dict[str, list[str]] = {
        PROPERTIES: [str(value) for value in (reader.metadata or {}).values()],
        LINKS: [],
        DESTINATIONS: [],
        ATTACHMENTS: [],
        PICTURES: [],
    }
    try:
        _outline_titles(reader.outline, texts[PROPERTIES])
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        pass
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        try:
            xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
            texts[PROPERTIES].append(xmp)
        except (PdfReadError, ValueError, AttributeError):
            pass
    opening = _resolved(root.get("/OpenAction"))
    if isinstance(opening, DictionaryObject):
        _action_texts(opening, texts)
    for name, _destination in _named_destinations(root):
        texts[DESTINATIONS].append(_destination_name(name) or "")
    names = _resolved(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        for tree, node in names.items():
            if tree == "/Dests":
                continue
            for name, value in _name_tree(node):
                if tree == "/EmbeddedFiles":
                    texts[ATTACHMENTS].append(_text(name))
                    _file_texts(value, texts)
                else:
                    texts[PROPERTIES].append(_text(name))
                    if tree == "/JavaScript":
                        _action_texts(value, texts)
    for item in _outline_items(root):
        _action_texts(item.get("/A"), texts)
        texts[DESTINATIONS].append(_destination_name(item.get("/Dest")) or "")
    for holder in (root, *reader.pages):
        _additional_actions(holder, texts)
        _associated_files(holder, texts)
    for page in reader.pages:
        if "/Metadata" in page:
            texts[PROPERTIES].append(_text(page["/Metadata"]))
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            for key in ("/Contents", "/T", "/Subj", "/RC"):
                if key in annotation:
                    texts[PROPERTIES].append(str(annotation[key]))
            _action_texts(annotation.get("/A"), texts)
            _additional_actions(annotation, texts)
            texts[DESTINATIONS].append(_destination_name(annotation.get("/Dest")) or "")
            if "/FS" in annotation:
                _file_texts(annotation["/FS"], texts)
            _associated_files(annotation, texts)
        for xobject in _xobjects(page):
            if "/Metadata" in xobject:
                texts[PICTURES].append(_text(xobject["/Metadata"]))
            _associated_files(xobject, texts)
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
    try:
        hidden = {where: _searchable(texts) for where, texts in _hidden_texts(reader).items()}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as error:
        # What cannot be read cannot be checked, and the public copy keeps links.
        logger.info("Unreadable report PDF: %s", error)
        raise UnreadableReport(
            "The final report could not be read: save it as a PDF again"
        ) from None
    found = []
    for term, pattern in patterns:
        for number, text in enumerate(pages, start=1):
            match = pattern.search(text)
            if match:
                found.append(ReportFinding(as_found(term, match), f"page {number}"))
                break
        else:
            for where, text in hidden.items():
                match = pattern.search(text)
                if match:
                    found.append(ReportFinding(as_found(term, match), where))
                    break
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


def _explicit(destination, pages: set[int]) -> ArrayObject | None:
    """An explicit destination on a page of the report ([page /XYZ left top zoom]), rebuilt
    from the page and its numbers; None for anything else (another file's page)."""
    destination = _resolved(destination)
    if isinstance(destination, DictionaryObject):  # a named destination's {/D [...]}
        destination = _resolved(destination.get("/D"))
    if not isinstance(destination, ArrayObject) or not destination:
        return None
    page = destination[0]
    if not isinstance(page, IndirectObject) or page.idnum not in pages:
        return None
    view = (NameObject, NumberObject, FloatObject, NullObject)
    return ArrayObject([page, *(value for value in destination[1:] if isinstance(value, view))])


def _target(holder, pages: set[int], named: dict[str, ArrayObject]):
    """Where a link or a bookmark goes, rebuilt: ("/Dest", a page of the report) or
    ("/A", a web address); None for anything else (a script, a program, a form, another
    file, a named action) and for a destination that names no page of the report."""
    destination = holder.get("/Dest")
    action = _resolved(holder.get("/A"))
    if not isinstance(action, DictionaryObject):
        action = DictionaryObject()
    if destination is None and action.get("/S") == "/GoTo":
        destination = action.get("/D")
    if destination is not None:
        name = _destination_name(destination)
        explicit = named.get(name) if name is not None else _explicit(destination, pages)
        return None if explicit is None else ("/Dest", explicit)
    if action.get("/S") == "/URI":
        address = _text(action.get("/URI")).strip()
        if address.lower().startswith(WEB_ADDRESSES):
            web = DictionaryObject({NameObject("/S"): NameObject("/URI")})
            web[NameObject("/URI")] = TextStringObject(address)
            return "/A", web
    return None


def _retarget(holder, keep: set[str] | None, pages: set[int], named) -> None:
    """Give a link (keeping only `keep`) or a bookmark (keeping all but its target) its
    rebuilt target, if it has one left."""
    target = _target(holder, pages, named)
    dropped = [key for key in holder if key not in keep] if keep else ["/A", "/Dest"]
    for key in dropped:
        holder.pop(key, None)
    if target is not None:
        holder[NameObject(target[0])] = target[1]


def _without_leftovers(writer: PdfWriter) -> None:
    """Drop `DROPPED_EVERYWHERE` from everything the copy still uses, then the objects it
    no longer uses: pypdf writes every object it holds, so a comment, an attachment or a
    page's XMP taken off the document would otherwise still be in the file."""
    root, info = writer._root_object, writer._info
    starts = [root] + ([info] if info is not None else [])
    used = {start.indirect_reference.idnum for start in starts}
    stack = list(starts)
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            if value.pdf is not writer or value.idnum in used:
                continue
            used.add(value.idnum)
            value = _resolved(value)
        if isinstance(value, DictionaryObject):
            for key in DROPPED_EVERYWHERE:
                if key in value:
                    del value[NameObject(key)]
            stack.extend(value.values())
        elif isinstance(value, ArrayObject):
            stack.extend(value)
    for index in range(len(writer._objects)):
        if index + 1 not in used:
            writer._objects[index] = None


def public_copy(data: bytes, *, title: str, author: str) -> bytes:
    """The pages, their structure (tags, language, bookmarks) and links, with neutral
    properties: no comments, attachments, associated files, scripts, actions or form
    fields. A link or a bookmark goes to a page of the report (the page a named
    destination named) or to a web address, or nowhere; what is taken off is not left in
    the file."""
    writer = PdfWriter(clone_from=_reader(data))
    root = writer._root_object
    ua_part = _ua_part(root)
    pages = {page.indirect_reference.idnum for page in writer.pages}
    named: dict[str, ArrayObject] = {}
    for name, destination in _named_destinations(root):
        key, explicit = _destination_name(name), _explicit(destination, pages)
        if key is not None and explicit is not None:
            named.setdefault(key, explicit)
    for key in DROPPED_FROM_CATALOGUE:
        if key in root:
            del root[NameObject(key)]
    for page in writer.pages:
        for key in ("/PieceInfo", "/AA", "/AF", "/Metadata"):
            if key in page:
                del page[NameObject(key)]
        if "/Annots" in page:
            kept = ArrayObject(
                a for a in page["/Annots"] if a.get_object().get("/Subtype") in KEPT_ANNOTATIONS
            )
            for link in kept:
                _retarget(link.get_object(), LINK_KEYS, pages, named)
            if kept:
                page[NameObject("/Annots")] = kept
            else:
                del page[NameObject("/Annots")]
    for item in _outline_items(root):
        _retarget(item, None, pages, named)
    writer.metadata = None
    writer.add_metadata({"/Title": title, "/Author": author, "/Producer": ""})
    _without_leftovers(writer)
    xmp = DecodedStreamObject()
    xmp.set_data(_xmp(title, author, ua_part))
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    root[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
