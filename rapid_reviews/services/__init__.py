"""Rapid review services: every write, with its checks, audit and clocks.

`rapid_review_open` is the hook the notification stage calls.
"""

from .common import (
    ConcurrentEditError,
    TransitionError,
    information_request_check_version,
    rapid_review_check_version,
)
from .requests import (
    SUBMIT_PROBLEMS,
    agency_return_save_draft,
    agency_return_send_back,
    agency_return_submit,
    information_request_send,
    information_request_update,
    information_requests_create,
    missing_for_submit,
)
from .review import (
    WORKING_DAYS_TO_COMPLETE,
    missing_sign_offs,
    rapid_review_correct_sent_to_panel,
    rapid_review_decide,
    rapid_review_hold_local_review_after_panel,
    rapid_review_open,
    rapid_review_record_meeting,
    rapid_review_record_panel_response,
    rapid_review_send_to_panel,
    rapid_review_sign_off,
    rapid_review_update_findings,
    rapid_review_withdraw_decision,
    timetable_for,
)

__all__ = [
    "ConcurrentEditError",
    "TransitionError",
    "WORKING_DAYS_TO_COMPLETE",
    "agency_return_save_draft",
    "rapid_review_check_version",
    "agency_return_send_back",
    "agency_return_submit",
    "information_request_check_version",
    "information_request_send",
    "information_request_update",
    "information_requests_create",
    "missing_for_submit",
    "SUBMIT_PROBLEMS",
    "missing_sign_offs",
    "rapid_review_decide",
    "rapid_review_open",
    "rapid_review_record_meeting",
    "rapid_review_hold_local_review_after_panel",
    "rapid_review_record_panel_response",
    "rapid_review_correct_sent_to_panel",
    "rapid_review_send_to_panel",
    "rapid_review_sign_off",
    "rapid_review_update_findings",
    "rapid_review_withdraw_decision",
    "timetable_for",
]
