"""One form on one page, shared by every stage's views.

Bind the form to what was posted (or to what was kept across a session timeout, see
drafts.py), call the service, show its errors on the form in GOV.UK style, then redirect
or render the page again (templates/form_page.html and the stages' templates extending it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from . import held_uploads, opened
from .drafts import take_kept_post
from .once import made, sent_before, taken_before
from .templatetags.error_summary import first_box
from .workflow import ConcurrentEditError, TransitionError
from .workflow import check_version as workflow_check_version


def form_page(
    request,
    record,
    form_class,
    title: str,
    run: Callable,
    *,
    template: str,
    caption: str,
    intro: str = "",
    initial: dict | None = None,
    back: str | None = None,
    done: str | None = None,
    form_kwargs: dict | None = None,
    context: dict | None = None,
    check_version: Callable[[int | None], None] | None = None,
    once: bool = False,
    versioned=None,
):
    """Validate, call `run(form)` (which calls the service), show its errors, redirect.

    `record` is the case record the page belongs to: Back and, after saving, the redirect
    go to its page unless `back` or `done` say otherwise; `run` may instead return a
    response of its own. With `check_version(expected_version)`, the form carries the
    record's `version` and the check runs in the same transaction as `run`, so a form
    opened before a colleague saved the record cannot overwrite their changes. With
    `once` (a form with `OnceFormMixin` that creates something), a second post of the
    same page is sent to what the first made instead of making it again (once.py).
    `versioned` is the record whose version the form carries when it is not `record`
    (an action or a recommendation on its review's pages): a form with errors says the
    page is out of date only if that record changed since.
    """
    kept = take_kept_post(request)
    posted = request.method == "POST"
    data = request.POST if posted else kept
    files = request.FILES if posted else None
    initial = initial or {}
    if check_version is not None:
        initial = {"version": record.version, **initial}
    if posted and once:
        earlier = sent_before(request)
        if earlier is not None:
            return redirect(earlier or done or record.get_absolute_url())
    form = form_class(data, files, initial=initial, **(form_kwargs or {}))
    # A file chosen on a page refused for another answer is held for saving again (also
    # named on a page given back after a session timeout, whose typing carries its token).
    held = held_uploads.hold_for(form, request=request, record=record) if data is not None else None
    if posted and form.is_valid():
        with refusals_shown_on(form):
            with transaction.atomic() if check_version or once else nullcontext():
                if once:
                    earlier = taken_before(request, form)
                    if earlier is not None:
                        return redirect(earlier or done or record.get_absolute_url())
                if check_version is not None:
                    check_version(form.cleaned_data.get("version"))
                response = run(form) or redirect(done or record.get_absolute_url())
                if held is not None:
                    held.used_up()
                if once:
                    made(form, response.get("Location", ""))
            return response
    elif posted and once and (earlier := sent_before(request)) is not None:
        # Refused: but a post of the same page at the same moment made the record while
        # these answers were checked against the case (and so failed it, as the same
        # recommendation twice would): this post is sent to that record too.
        return redirect(earlier or done or record.get_absolute_url())
    elif posted and check_version is not None:
        # Every error at once: a page opened before a colleague's change says so beside
        # the others (they are checked against the record as it is now).
        # (The check locks the record, as it does before a save: in a transaction.)
        try:
            with transaction.atomic():
                check_version(form.cleaned_data.get("version"))
        except ConcurrentEditError as error:
            keep_typing_after_conflict(form, error)
    elif posted and "version" in form.fields and hasattr(versioned or record, "version"):
        # The same for a form whose service checks the version itself (expected_version):
        # the record as read for this request says whether the page was opened before.
        versioned = versioned or record
        try:
            workflow_check_version(
                versioned, form.cleaned_data.get("version"), str(versioned._meta.verbose_name)
            )
        except ConcurrentEditError as error:
            keep_typing_after_conflict(form, error)
    if posted and held is not None:
        held.keep()
    return render(
        request,
        template,
        {
            "form": form,
            "title": title,
            "caption": caption,
            "intro": intro,
            "typing_kept": kept is not None,
            "back": back or record.get_absolute_url(),
            **(context or {}),
        },
    )


def warn_if_not_ready(request, record, reference: str, statuses, first: str, done=()) -> None:
    """A step's page opened (by its address) while `record` is in none of `statuses`:
    say what to do first before the form is filled in, or, where its status is one of
    `done`, that the step is done already (the back button, an old link). The service
    refuses the step anyway if it is sent."""
    if request.method != "GET" or record.status in statuses:
        return
    if record.status in done:
        messages.info(
            request,
            f"{reference} is ‘{record.get_status_display()}’: this step is done already. "
            "Go back to it to see what was recorded.",
        )
        return
    messages.warning(request, f"{reference} is ‘{record.get_status_display()}’. {first}")


@contextmanager
def refusals_shown_on(form) -> Iterator[None]:
    """A service called inside it that refuses shows why on `form`, to render again: its
    errors by field (ValidationError), a colleague's save since the page was opened with
    what was typed kept (ConcurrentEditError), a step the record's status rules out
    (TransitionError). The rest of the block is skipped; what follows it runs. Every page
    that saves a form through a service shows these three the same way."""
    try:
        yield
    except ValidationError as error:
        form.add_service_errors(error)
    except ConcurrentEditError as error:
        keep_typing_after_conflict(form, error)
    except TransitionError as error:
        form.add_error(None, str(error))


SAVE_AGAIN = (
    "What you typed is kept below: save again to replace the other change with it, or "
    "leave this page to keep that change."
)

#: After a stale save merged three ways (opened.py): what the page now holds.
MERGED = (
    "We have kept your changes and added the other changes to the parts you did not "
    "change. Check the answers and save again."
)
#: The end of a stale save's error (workflow.check_version), and what it says instead
#: once merged: the page below is not "the latest version", but the person's changes with
#: the other's added, to check and save.
STALE_ENDING = "Your changes have not been saved: check the latest version and try again."
MERGED_ENDING = "Your changes have not been saved yet: check the answers below and save again."
#: ... where nothing was taken from the other change.
KEPT = "We have kept your changes. Check the answers and save again."
#: ... and where both changed the same questions (the person's typing is kept in them).
BOTH = (
    "These were also changed by someone else or in another tab: {names}. What you typed "
    "is kept in them: saving again replaces their change."
)
#: ... and where both changed the boxes ticked in the same questions (merged as sets).
COMBINED = (
    "These were also changed by someone else or in another tab: {names}. Their choices "
    "and yours are combined in them: check them before you save again."
)


def conflict_names(labels: list[str]) -> str:
    """Questions named in `BOTH`: their labels in quotes, joined in words."""
    quoted = [f"‘{label}’" for label in labels]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def keep_typing_after_conflict(form, error: ConcurrentEditError) -> None:
    """After a refused stale save: say so (one error), keep what was typed, take the
    other change into the questions the person left as they were (a three-way merge,
    opened.py), merge as sets the ticked boxes of those both changed, name those both
    changed and show beside each what is saved now, and move the form on to the version
    saved now with what it now shows as its base, so that saving again saves both changes, and
    replaces the other change only where the person typed over it knowingly. The save
    itself is refused all the same: nothing is merged and saved unseen.

    A page that cannot say what it was opened with (no `opened`, or one not signed by
    us), or whose values were read before the version saved now, keeps all its typing as
    before, and says that saving again replaces the other change."""
    form.add_error(None, str(error))
    if error.current_version is None or not form.is_bound:
        return
    data = form.data.copy()
    form.data = data
    posted = _posted_version(form)
    data[form.add_prefix("version")] = str(error.current_version)
    current = "version" in form.fields and (
        form.get_initial_for_field(form.fields["version"], "version") == error.current_version
    )
    merge = opened.merge_latest(form, posted) if current and "opened" in form.fields else None
    if "opened" in form.fields:
        # The base of the next save: the version the form has moved on to (unknown where
        # the values shown were read before it).
        data[form.add_prefix("opened")] = opened.opened_token(form) if current else ""
    if merge is None:
        form.conflict_note = [SAVE_AGAIN]
        return
    merged, both, combined = merge
    form.conflict_note = [MERGED if merged else KEPT]
    refused = str(error)
    form._errors[NON_FIELD_ERRORS] = form.error_class(
        [
            message.replace(STALE_ENDING, MERGED_ENDING) if message == refused else message
            for message in form._errors.get(NON_FIELD_ERRORS, [])
        ],
        error_class="nonfield",
        renderer=form.renderer,
    )
    # A page shown again with errors (every error at once): those of a question now
    # holding the other change's value were about what this page sent, not what it shows.
    if form.is_bound and hasattr(form, "_errors") and form._errors:
        for name in merged + combined:
            form._errors.pop(name, None)
    for names, line in ((both, BOTH), (combined, COMBINED)):
        if names:
            labels = [str(form.fields[name].label or name) for name in names]
            form.conflict_note.append(line.format(names=conflict_names(labels)))
    # The summary's one error links to the first of them on the page (each shows, at
    # the question, what is saved now: templates/includes/saved_elsewhere.html).
    named = [name for name in form.fields if name in both or name in combined]
    if named:
        form.error_target = first_box(form[named[0]])


def _posted_version(form) -> int | None:
    try:
        return int(form.data.get(form.add_prefix("version")))
    except (TypeError, ValueError):
        return None
