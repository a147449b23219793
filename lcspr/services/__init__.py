"""Local review services: every write, with its checks, audit and clocks.

`review_open` is the hook the rapid review stage calls when a rapid review that decided
on a local review is sent to the National Panel.
"""

from .actions import (
    action_add,
    action_agency_change,
    action_sign_off,
    action_update,
    recommendation_add,
    recommendation_update,
)
from .briefing import briefing_generate, briefing_save, forbidden_terms, identifying_terms_in
from .common import ConcurrentEditError, TransitionError
from .publication import (
    earliest_publication,
    published_update,
    published_withdraw,
    review_publish,
    review_record_nspcc,
    review_send_notice,
)
from .review import (
    already_on_hold,
    eligible_reviewers,
    milestone_update,
    partner_check_add,
    review_approve_final,
    review_close,
    review_correct_decision_date,
    review_open,
    review_put_on_hold,
    review_reopen,
    review_resume,
    review_save_terms,
    review_set_reviewers,
    review_set_themes,
    review_update_hold,
    written_reply_checked,
    written_reply_save_draft,
    written_reply_send,
    written_request_reply,
)

__all__ = [
    "already_on_hold",
    "ConcurrentEditError",
    "TransitionError",
    "action_add",
    "action_agency_change",
    "action_sign_off",
    "action_update",
    "briefing_generate",
    "briefing_save",
    "earliest_publication",
    "eligible_reviewers",
    "forbidden_terms",
    "identifying_terms_in",
    "milestone_update",
    "partner_check_add",
    "written_request_reply",
    "written_reply_checked",
    "written_reply_save_draft",
    "written_reply_send",
    "published_update",
    "published_withdraw",
    "recommendation_add",
    "recommendation_update",
    "review_approve_final",
    "review_open",
    "review_publish",
    "review_put_on_hold",
    "review_record_nspcc",
    "review_close",
    "review_reopen",
    "review_correct_decision_date",
    "review_resume",
    "review_update_hold",
    "review_save_terms",
    "review_send_notice",
    "review_set_reviewers",
    "review_set_themes",
]
