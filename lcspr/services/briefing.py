"""The learning briefing: saved from structured fields, with its one-page PDF and its
PowerPoint regenerated whenever the fields change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from safeguarding.audit import Action, audit_record
from safeguarding.forms import plain_text
from safeguarding.models import User

from ..models import LearningBriefing, Review
from .common import check_version, raise_if, require_case_role, require_not_closed

BRIEFING_FIELDS = (
    "title",
    "background",
    "key_learning",
    "practice_improvement",
    "discussion_questions",
    "links",
)
REQUIRED = {
    "title": "Enter the title of the briefing",
    "background": "Enter the background of the case",
    "key_learning": "Enter at least one key learning point",
    "practice_improvement": "Enter at least one area for practice improvement",
    "discussion_questions": "Enter at least one question for team discussion",
}


#: Apostrophes as word processors type them, folded to the plain one (dashes of every
#: kind are folded by their Unicode category in `fold`).
_FOLDED = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "\u2212": "-"})
#: Cyrillic and Greek letters that print as Latin ones: a name typed (or pasted) with one
#: of them looks the same in the published PDF, so it is compared as the Latin letter.
_LOOK_ALIKE = str.maketrans(
    "АВЕКМНОРСТХУаеорсухіјѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιν",
    "ABEKMHOPCTXYaeopcyxijsdqwABEZHIKMNOPTYXaoiv",
)
#: A word broken at a line's end with a hyphen ("Zephy-" / "rine"), joined again.
_LINE_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])")
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
#: Where a name splits into names of its own: O'Brennan, Hart-Zephyrine, "Amy Lee".
_NAME_BREAK = re.compile(r"[\s,'\-]+")
#: The last word of a street's name: what makes a place in the record an address.
_STREET = re.compile(
    r"\b(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|court|ct|crescent|"
    r"place|pl|gardens|terrace|grove|square|row|walk|mews|hill|park|green|rise|view|"
    r"estate|house|flats?|cottages?)\.?$",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


def fold(text: str) -> str:
    """The text as the checks compare it: accents and other marks taken off (Zoë, Zoe),
    invisible characters taken out (a soft hyphen or zero-width space pasted from Word
    inside a name), curly apostrophes and dashes of every kind made plain (O’Brennan,
    O'Brennan), and Cyrillic or Greek look-alikes read as the Latin letters they print as."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_FOLDED))
    kept = []
    for c in decomposed:
        category = unicodedata.category(c)
        if category in ("Mn", "Me", "Cf"):
            continue
        kept.append("-" if category == "Pd" else c)
    return "".join(kept).translate(_LOOK_ALIKE)


def _address_terms(place: str) -> set[str]:
    """The parts of the recorded place of the incident that are an address: a postcode,
    and each part with a house number or naming a street (with and without the number).
    A place such as "the family home" or the town is not an address and is left alone."""
    terms = {" ".join(code.upper().split()) for code in _POSTCODE.findall(place or "")}
    for part in re.split(r"[,\n]+", _POSTCODE.sub("", place or "")):
        part = " ".join(part.split())
        words = [
            w for w in re.findall(r"[^\W\d_]{3,}", part) if w.lower() not in ("flat", "apartment")
        ]
        if not words or not (re.search(r"\d", part) or _STREET.search(part)):
            continue  # "Flat 2" on its own, "the family home", a town
        terms.add(part)
        street = re.sub(r"^(?:flat\s+)?\d+[a-z]?\s+", "", part, flags=re.IGNORECASE)
        if street != part and len(street) >= 3 and _STREET.search(street):
            terms.add(street)
    return terms


def forbidden_terms(review: Review) -> list[str]:
    """What must never appear in published material: the case reference, the real names
    of the children (each name on its own, and each part of a double-barrelled or
    apostrophe name) and the address where the incident happened."""
    incident = review.rapid_review.incident
    terms = {review.reference} | _address_terms(incident.incident_place)
    for child in incident.children.all():
        for name in (child.name, child.other_names):
            for whole in re.split(r"[\s,]+", fold(name)):
                for part in {whole, *_NAME_BREAK.split(whole)}:
                    part = part.strip("'-")
                    if len(part) >= 2 and part.lower() not in _SHORT_WORDS:
                        terms.add(part)
    return sorted(terms)


#: Two-letter words of everyday English: a name spelt the same (rare) cannot be told
#: from them. Every other name of two letters or more is checked (Li, Jo, Bo).
_SHORT_WORDS = frozenset(
    "am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we".split()
)


def _term_pattern(term: str, reference: str) -> str:
    """The pattern of one forbidden term: words apart by any run of spaces (a line break
    in a PDF's text); the case reference with any separator or none between its parts,
    and its numbers with or without their leading zeros (BSCP-2025-001, BSCP/2025/001,
    BSCP 2025 001, BSCP:2025:1, BSCP2025001); a postcode with or without its space."""
    if term == reference:
        parts = [
            rf"0*{int(p)}" if p.isdigit() else re.escape(p)
            for p in re.findall(r"[^\W_]+", fold(term))
        ]
        body = r"[\W_]*".join(parts)
    elif _POSTCODE.fullmatch(term):
        compact = term.replace(" ", "")
        body = rf"{re.escape(compact[:-3])}\s*{re.escape(compact[-3:])}"
    else:
        body = re.sub(r"(?:\\ )+", r"\\s+", re.escape(fold(term)))
    return rf"(?<![^\W_]){body}(?![^\W_])"


class FoldedPattern:
    """A pattern that searches the folded text (see `fold`): what a check finds does not
    depend on which apostrophe, dash or accent the writer's keyboard typed."""

    def __init__(self, pattern: str):
        self.pattern = re.compile(pattern, re.IGNORECASE)

    def search(self, text: str) -> re.Match | None:
        folded = fold(text)
        found = self.pattern.search(folded)
        if found is None and "-" in folded:
            # A name hyphenated across a line's end ("Zephy-" / "rine") or within it
            # ("Zephy-rine"): read again with those hyphens taken out. Only what the
            # first reading missed is added (a hyphenated name itself matched there).
            joined = _INNER_HYPHEN.sub("", _LINE_HYPHEN.sub("", folded))
            found = self.pattern.search(joined)
        return found


_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip


def date_pattern(day: dt.date) -> str:
    """A regular expression for `day` however people write it: 9 January 2010, 9th Jan
    2010, January 9, 2010, 09/01/2010, 9.1.10, 09-01-2010, 2010-01-09."""
    d, m, y = day.day, day.month, day.year
    month = _MONTHS[m - 1]
    name = rf"(?:{month}|{month[:3]}\.?)"
    suffix = r"(?:st|nd|rd|th)?"
    numeric = rf"0?{d}[/.\-]0?{m}[/.\-](?:{y}|{y % 100:02d})"
    return (
        r"(?<![\w/.\-])(?:"
        + "|".join(
            [
                rf"0?{d}{suffix}\s+(?:of\s+)?{name},?\s+{y}",
                rf"{name}\s+0?{d}{suffix},?\s+{y}",
                numeric,
                rf"{y}-{m:02d}-{d:02d}",
            ]
        )
        + r")(?![\w/\-]|\.\d)"
    )


def identifying_patterns(review: Review) -> list[tuple[str, re.Pattern]]:
    """(what to name, pattern) for everything that identifies the case: the reference,
    the children's names, and their dates of birth in any usual spelling."""
    patterns = [
        (term, FoldedPattern(_term_pattern(term, review.reference)))
        for term in forbidden_terms(review)
    ]
    births = {c.date_of_birth for c in review.rapid_review.incident.children.all()}
    for born in sorted(b for b in births if b is not None):
        patterns.append((f"{born:%-d %B %Y}", FoldedPattern(date_pattern(born))))
    return patterns


def as_found(term: str, match: re.Match) -> str:
    """How to name a finding: a name or the reference as the record has it, a date of
    birth as the text wrote it (so that it can be found and removed)."""
    return term if term.lower() == match.group(0).lower() else match.group(0)


def identifying_terms_in(review: Review, *texts: str, patterns=None) -> list[str]:
    """What identifies the case in these texts: a name or the reference as written in the
    record, a date of birth as written in the text (so it can be found and removed).
    `patterns`: the review's `identifying_patterns`, when several checks share them."""
    found = []
    for term, pattern in patterns if patterns is not None else identifying_patterns(review):
        for text in texts:
            match = pattern.search(text or "")
            if match:
                found.append(as_found(term, match))
                break
    return found


def briefing_year(review: Review) -> int:
    """The year on the briefing: of its publication, or of the end of its embargo (when
    the public first reads it), or this year before then."""
    on = review.published_on
    if on and review.embargo_until and review.embargo_until > on:
        on = review.embargo_until
    return (on or timezone.localdate()).year


def _hash(values: dict, partnership_name: str, year: int) -> str:
    payload = json.dumps([values, partnership_name, year], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def briefing_generate(briefing: LearningBriefing, *, force: bool = False) -> LearningBriefing:
    """(Re)make the PDF and the PowerPoint unless the fields are unchanged since last time."""
    from ..documents import render_briefing_pdf
    from ..presentations import briefing_pptx

    review = briefing.review
    name, year = review.partnership.name, briefing_year(review)
    values = {f: getattr(briefing, f) for f in BRIEFING_FIELDS}
    digest = _hash(values, name, year)
    if not force and digest == briefing.content_hash and briefing.pdf and briefing.pptx:
        return briefing
    pdf = render_briefing_pdf(briefing, partnership_name=name, year=year)
    pptx = briefing_pptx(briefing, partnership_name=name, year=year)
    old = [briefing.pdf.name, briefing.pptx.name]
    prefix = f"lcspr/{review.partnership.pk}/briefings"
    briefing.pdf.save(f"{prefix}/{digest[:24]}.pdf", ContentFile(pdf.data), save=False)
    briefing.pptx.save(f"{prefix}/{digest[:24]}.pptx", ContentFile(pptx), save=False)
    briefing.pdf_pages = pdf.pages
    briefing.content_hash = digest
    briefing.generated_at = timezone.now()
    briefing.save()
    storage = briefing.pdf.storage
    keep = {briefing.pdf.name, briefing.pptx.name}
    transaction.on_commit(
        lambda: [storage.delete(n) for n in old if n and n not in keep and storage.exists(n)]
    )
    return briefing


def _link_errors(links: str) -> list[str]:
    """Each line of the links is a web address, or a title, a bar and a web address: the
    PDF links it, so nothing else (a `javascript:` address, a typo) may pass. Every line
    that is not is said, each its own error (lines counted without the empty ones)."""
    lines = [line.strip() for line in links.splitlines() if line.strip()]
    errors = []
    for number, line in enumerate(lines, start=1):
        title, bar, address = line.partition("|")
        address = (address if bar else title).strip()
        if not address.lower().startswith(("https://", "http://")) or " " in address:
            errors.append(
                f"Link {number} must end with a web address starting https://, for example "
                "‘Working Together 2023 | https://www.gov.uk/government/publications/…’"
            )
    return errors


def briefing_values(values: dict) -> dict[str, str]:
    """The briefing's fields as saved: plain text (no invisible characters), trimmed."""
    return {f: plain_text(values.get(f) or "").strip() for f in BRIEFING_FIELDS}


def briefing_errors(review: Review, values: dict) -> dict[str, str | list[str]]:
    """The briefing's fields: each it needs, links the PDF can follow (every link that
    cannot, at once), and nothing in any of them that identifies the case, said about
    the whole briefing (for the service and its form)."""
    values = briefing_values(values)
    errors: dict[str, str | list[str]] = {
        f: message for f, message in REQUIRED.items() if not values[f]
    }
    link_errors = _link_errors(values["links"])
    if link_errors:
        errors["links"] = link_errors
    found = identifying_terms_in(review, *values.values())
    if found:
        errors["__all__"] = (
            "The briefing must be anonymised: remove "
            + ", ".join(f"‘{t}’" for t in found)
            + " (a real name, a date of birth or the case reference)"
        )
    return errors


@transaction.atomic
def briefing_save(
    *, review: Review, actor: User, values: dict, expected_version: int | None = None
) -> LearningBriefing:
    require_case_role(actor, review.partnership)
    require_not_closed(review)
    values = briefing_values(values)
    raise_if(briefing_errors(review, values))
    briefing = LearningBriefing.objects.select_for_update().filter(review=review).first()
    created = briefing is None
    if created:
        briefing = LearningBriefing(review=review, **values)
    else:
        check_version(briefing, expected_version, "briefing")
        for f, v in values.items():
            setattr(briefing, f, v)
        briefing.version += 1
    briefing.save()
    briefing.review = review
    briefing_generate(briefing)
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=briefing,
        partnership=review.partnership,
        object_repr=f"{review.reference} learning briefing",
        changes={"title": values["title"], "pages": briefing.pdf_pages},
    )
    return briefing
