"""The public "Learning from reviews" pages: no sign-in. They read only `PublishedReview`
(anonymised copies written at publication) and serve only its copied files."""

import unicodedata
from functools import wraps

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_safe

from safeguarding.notices import CONTRAST_COOKIE, statement_context

from .. import selectors

#: Reviews listed on one page of a list or a search.
PAGE_SIZE = 20
NSPCC_REPOSITORY = "https://learning.nspcc.org.uk/case-reviews/national-case-review-repository"
DOWNLOADS = {
    "report": ("report", "report.pdf", "application/pdf"),
    "briefing": ("briefing_pdf", "learning-briefing.pdf", "application/pdf"),
    "presentation": (
        "briefing_pptx",
        "presentation.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}


def _typed(value: str, limit: int) -> str:
    """A value from the address as a visitor could have typed it: no control characters
    (a NUL cannot even be sent to PostgreSQL), trimmed, and no longer than `limit`."""
    kept = (" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in value[:limit])
    return "".join(kept).strip()


def _filters(request, *, themes, years) -> tuple[dict, dict]:
    """The filters in the address, and those left out. A theme or year the dropdowns do
    not offer (mistyped, a theme switched off, a year with no review or whose reviews were
    withdrawn) is left out rather than applied: the list is then what "All" lists, as the
    dropdown says, and the page says why (`left_out`: the year, as a number if it is one;
    the theme, never repeated back)."""
    theme = _typed(request.GET.get("theme", ""), 100)
    query = _typed(request.GET.get("q", ""), 200)
    typed_year = _typed(request.GET.get("year", ""), 20)
    left_out = {}
    if theme and theme not in {t.slug for t in themes}:
        left_out["theme"], theme = True, ""
    year = int(typed_year) if typed_year.isdecimal() else None
    if typed_year and year not in years:
        left_out["year"] = year if year is not None and 1000 <= year <= 9999 else True
        year = None
    return {"theme": theme, "year": year, "query": query}, left_out


def _page(request) -> dict:
    """What the public layout needs on every page."""
    return {
        "high_contrast": request.COOKIES.get(CONTRAST_COOKIE) == "high",
        "nspcc_url": NSPCC_REPOSITORY,
    }


def _asked_again(response, request):
    """A public page may be kept by a browser or a shared cache, but must be asked for
    again before it is shown: a withdrawn review, or one whose embargo ends, changes the
    pages at once. (Signed in, PrivateResponsesMiddleware keeps nothing at all.)"""
    if not request.user.is_authenticated:
        patch_cache_control(response, no_cache=True)
    return response


def public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return _asked_again(view(request, *args, **kwargs), request)

    return wrapped


def not_found(request):
    """The 404 of the public pages: their layout (Exit this page, contrast) and words."""
    response = render(request, "lcspr/public/404.html", _page(request), status=404)
    return _asked_again(response, request)


def _statement(request, name):
    context = {**_page(request), **statement_context(name, reverse("learning:cookies"))}
    return render(request, "lcspr/public/statement.html", context)


@require_safe
@public_page
def accessibility(request):
    return _statement(request, "accessibility")


@require_safe
@public_page
def cookies(request):
    return _statement(request, "cookies")


@require_safe
@public_page
def privacy(request):
    return _statement(request, "privacy")


def _context(request, partnership=None) -> dict:
    """One page of the reviews found, the recent ones (the last three years) before the
    archive: each section is shown on the pages that hold some of it, and said to be
    empty on the first page (recent) or the last (archive) when it has none at all."""
    chosen = _typed(request.GET.get("theme", ""), 100)
    themes = list(selectors.published_themes(partnership, chosen=chosen))
    years = selectors.published_years(partnership)
    filters, left_out = _filters(request, themes=themes, years=years)
    results = selectors.published_search(partnership=partnership, **filters)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    cutoff = selectors.archive_cutoff()
    items = list(page.object_list)
    recent = [r for r in items if r.published_on >= cutoff]
    archive = [r for r in items if r.published_on < cutoff]
    return {
        "partnership": partnership,
        "filters": filters,
        "page": page,
        "page_query": urlencode({k: v for k, v in _query_of(filters).items() if v}),
        "recent": recent,
        "archive": archive,
        "show_recent": bool(recent) or page.number == 1,
        "show_archive": bool(archive) or not page.has_next(),
        "themes": themes,
        "years": years,
        "filtered": any(filters.values()),
        "left_out": left_out,
        **_page(request),
    }


def _query_of(filters: dict) -> dict:
    """The filters as the address carries them (for the links to other pages)."""
    return {"q": filters["query"], "theme": filters["theme"], "year": filters["year"] or ""}


@require_safe
@public_page
def index(request):
    context = _context(request)
    context["partnerships"] = selectors.public_partnerships()
    return render(request, "lcspr/public/index.html", context)


@require_safe
@public_page
def partnership_page(request, code):
    partnership = selectors.public_partnership_get(code)
    return render(request, "lcspr/public/partnership.html", _context(request, partnership))


def _sizes(published) -> dict[str, int | None]:
    """Each download's size in bytes, for its link (None if the file cannot be read)."""
    sizes = {}
    for kind, (field, _suffix, _type) in DOWNLOADS.items():
        stored = getattr(published, field)
        try:
            sizes[kind] = stored.size if stored else None
        except OSError:
            sizes[kind] = None
    return sizes


@require_safe
@public_page
def review_page(request, code, slug):
    published = selectors.published_get(code, slug)
    return render(
        request,
        "lcspr/public/review.html",
        {
            "published": published,
            "partnership": published.partnership,
            "themes": list(published.themes.all()),
            "sizes": _sizes(published),
            **_page(request),
        },
    )


@require_safe
def download(request, code, slug, kind):
    """The published copy, never a case file."""
    published = selectors.published_get(code, slug)
    if kind not in DOWNLOADS:
        raise Http404("No such file")
    field, suffix, content_type = DOWNLOADS[kind]
    stored = getattr(published, field)
    if not stored:
        raise Http404("Not published")
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{published.partnership.code.lower()}-{published.year}-{published.slug}-{suffix}",
        content_type=content_type,
    )
    # Shared caches may keep a copy but must ask again each time: a withdrawn review's
    # files stop at once, not after a cache's lifetime.
    response["Cache-Control"] = "public, no-cache"
    return response


@require_GET
def contrast(request):
    """The no-JavaScript contrast toggle: flip a cookie and go back."""
    back = request.GET.get("next", "/learning-from-reviews/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/learning-from-reviews/"
    response = redirect(back)
    high = request.COOKIES.get(CONTRAST_COOKIE) != "high"
    response.set_cookie(
        CONTRAST_COOKIE,
        "high" if high else "standard",
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
