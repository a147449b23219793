from django.urls import path

from .views import agency, reviewer, staff

app_name = "lcspr"

urlpatterns = [
    path("", staff.review_list, name="list"),
    path("<int:pk>/", staff.review_detail, name="detail"),
    path("agency-actions/", agency.agency_action_list, name="agency-actions"),
    path("agency-actions/<int:action_pk>/", agency.agency_action, name="agency-action"),
    path("<int:pk>/reviewers/", staff.reviewers, name="reviewers"),
    path("<int:pk>/terms/", staff.terms, name="terms"),
    path("<int:pk>/terms/document/", staff.terms_document, name="terms-document"),
    path("<int:pk>/themes/", staff.themes, name="themes"),
    path("<int:pk>/milestones/<slug:key>/", staff.milestone, name="milestone"),
    path("<int:pk>/checks/new/", staff.check_add, name="check-add"),
    path("<int:pk>/checks/<int:check_pk>/reply/", reviewer.written_reply, name="written-reply"),
    path(
        "<int:pk>/checks/<int:check_pk>/reply/check/",
        reviewer.written_reply_check,
        name="written-reply-check",
    ),
    path(
        "<int:pk>/checks/<int:check_pk>/reply/sent/",
        reviewer.written_reply_sent,
        name="written-reply-sent",
    ),
    path(
        "<int:pk>/checks/<int:check_pk>/reply/document/",
        reviewer.written_reply_document,
        name="written-reply-document",
    ),
    path("<int:pk>/hold/", staff.hold, name="hold"),
    path("<int:pk>/resume/", staff.resume, name="resume"),
    path("<int:pk>/close/", staff.close, name="close"),
    path("<int:pk>/reopen/", staff.reopen, name="reopen"),
    path("<int:pk>/hold/change/", staff.hold_change, name="hold-change"),
    path("<int:pk>/decision-date/", staff.decision_date, name="decision-date"),
    path("<int:pk>/approve/", staff.approve, name="approve"),
    path("<int:pk>/notice/", staff.notice, name="notice"),
    path("<int:pk>/publish/", staff.publish, name="publish"),
    path("<int:pk>/nspcc/", staff.nspcc, name="nspcc"),
    path("<int:pk>/published/update/", staff.published_update, name="published-update"),
    path("<int:pk>/published/withdraw/", staff.published_withdraw, name="published-withdraw"),
    path("<int:pk>/report.pdf", staff.report_download, name="report"),
    path("<int:pk>/recommendations/new/", staff.recommendation_add, name="recommendation-add"),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/",
        staff.recommendation_edit,
        name="recommendation-edit",
    ),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/actions/new/",
        staff.action_add,
        name="action-add",
    ),
    path("<int:pk>/actions/<int:action_pk>/", staff.action_detail, name="action"),
    path(
        "<int:pk>/actions/<int:action_pk>/agency/",
        staff.action_agency,
        name="action-agency",
    ),
    path(
        "<int:pk>/actions/<int:action_pk>/sign-off/",
        staff.action_sign_off,
        name="action-sign-off",
    ),
    path("<int:pk>/action-plan.pdf", staff.action_plan_pdf_view, name="action-plan-pdf"),
    path("<int:pk>/action-plan.csv", staff.action_plan_csv_view, name="action-plan-csv"),
    path("<int:pk>/briefing/", staff.briefing, name="briefing"),
    path("<int:pk>/briefing/download/<slug:kind>/", staff.briefing_download, name="briefing-file"),
]
