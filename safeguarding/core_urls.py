from django.urls import path

from . import account_views, people_views, views

app_name = "safeguarding"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("session/keep-alive/", views.keep_alive, name="keep-alive"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("audit/", views.audit_list, name="audit"),
    path("healthz", views.healthz, name="healthz"),
    path("service-status/", views.service_status, name="service-status"),
    # Two-factor authentication, "Your account", the accessibility statement, cookies and privacy.
    path("two-factor/", account_views.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path(
        "two-factor/recovery-code/",
        account_views.RecoveryCodeVerifyView.as_view(),
        name="two-factor-recovery",
    ),
    path("two-factor/check-email/", account_views.EmailCodeView.as_view(), name="two-factor-email"),
    path(
        "two-factor/check-email/new-code/",
        account_views.email_code_resend,
        name="two-factor-email-resend",
    ),
    path("two-factor/set-up/", account_views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path(
        "two-factor/recovery-codes/",
        account_views.recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("two-factor/skip/", account_views.two_factor_skip, name="two-factor-skip"),
    path("account/", account_views.account, name="account"),
    # A partnership manager's people.
    path("people/<int:partnership_pk>/", people_views.people_list, name="people"),
    path("people/<int:partnership_pk>/add/", people_views.person_add, name="person-add"),
    path(
        "people/<int:partnership_pk>/<int:pk>/remove/",
        people_views.person_remove,
        name="person-remove",
    ),
    path(
        "people/<int:partnership_pk>/deadlines-of/<int:user_pk>/",
        people_views.deadlines_hand_over,
        name="deadlines-hand-over",
    ),
    path(
        "people/<int:partnership_pk>/statutory-leads/",
        people_views.partner_leads,
        name="partner-leads",
    ),
    path("account/password/", account_views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "account/recovery-codes/",
        account_views.recovery_codes_renew,
        name="recovery-codes-renew",
    ),
    path("accessibility/", account_views.accessibility, name="accessibility"),
    path("cookies/", account_views.cookies, name="cookies"),
    path("privacy/", account_views.privacy, name="privacy"),
]

# Deadlines and reminders (issue 6).
from . import deadline_views  # noqa: E402

urlpatterns += [
    path("deadlines/<int:pk>/why/", deadline_views.deadline_why, name="deadline-why"),
    path("reminders/", deadline_views.reminder_settings, name="reminder-settings"),
    path(
        "partnerships/<int:partnership_pk>/closure-days-and-reminders/",
        deadline_views.working_days,
        name="working-days",
    ),
    path("calendar/<str:token>.ics", deadline_views.calendar_feed, name="calendar-feed"),
    path("outbox/", deadline_views.outbox_list, name="outbox"),
    path("outbox/<str:file>/<int:index>/", deadline_views.outbox_detail, name="outbox-message"),
]

# Dashboard, timeliness, regional comparison, annual report and exports (issue 7).
from . import report_views  # noqa: E402

urlpatterns += [
    path("dashboard/export.<str:fmt>", report_views.dashboard_export, name="dashboard-export"),
    path("reports/timeliness/", report_views.timeliness_view, name="timeliness"),
    path(
        "reports/timeliness/export.<str:fmt>",
        report_views.timeliness_export,
        name="timeliness-export",
    ),
    path("reports/annual/<int:year>.pdf", report_views.annual_report_pdf, name="annual-report"),
    path(
        "reports/annual/<int:year>.<str:fmt>",
        report_views.annual_report_data,
        name="annual-report-data",
    ),
    path("reports/regional/", report_views.regional_view, name="regional"),
    path("reports/regional/export.<str:fmt>", report_views.regional_export, name="regional-export"),
]
