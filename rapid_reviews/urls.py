from django.urls import path

from .views import contributor, officer, panel

app_name = "rapid_reviews"

urlpatterns = [
    # The partnership's business unit.
    path("", officer.review_list, name="list"),
    path("<int:pk>/", officer.review_detail, name="detail"),
    path("<int:pk>/requests/new/", officer.requests_new, name="requests-new"),
    path("<int:pk>/requests/<int:request_pk>/", officer.request_detail, name="request"),
    path(
        "<int:pk>/requests/<int:request_pk>/change/", officer.request_change, name="request-change"
    ),
    path("<int:pk>/requests/<int:request_pk>/send/", officer.request_send, name="request-send"),
    path(
        "<int:pk>/requests/<int:request_pk>/send-back/",
        officer.request_send_back,
        name="request-send-back",
    ),
    path("<int:pk>/draft-report/", officer.draft_report, name="draft-report"),
    path("<int:pk>/meeting/", panel.meeting, name="meeting"),
    path("<int:pk>/decision/", panel.decision, name="decision"),
    path("<int:pk>/decision/withdraw/", panel.withdraw_decision, name="withdraw-decision"),
    path("<int:pk>/sign-off/<slug:partner>/", panel.sign_off, name="sign-off"),
    path("<int:pk>/send-to-panel/", panel.send_to_panel, name="send-to-panel"),
    path(
        "<int:pk>/send-to-panel/correct/",
        panel.correct_sent_to_panel,
        name="send-to-panel-correct",
    ),
    path("<int:pk>/panel-response/", panel.panel_response, name="panel-response"),
    path(
        "<int:pk>/local-review/",
        panel.local_review_after_panel,
        name="local-review-after-panel",
    ),
    path("<int:pk>/report.pdf", panel.report_pdf, name="report-pdf"),
    # Agency contributors.
    path("requests/", contributor.request_list, name="contributor-list"),
    path("requests/<int:pk>/", contributor.request_detail, name="contributor-request"),
    path("requests/<int:pk>/return/", contributor.return_edit, name="contributor-return"),
    path("requests/<int:pk>/submit/", contributor.return_submit, name="contributor-submit"),
    path("requests/<int:pk>/sent/", contributor.return_sent, name="contributor-sent"),
]
