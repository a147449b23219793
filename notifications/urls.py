from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("export.<str:fmt>", views.incident_list_export, name="list-export"),
    path("find-by-name/", views.find_by_name, name="find-by-name"),
    path("new/", views.incident_new, name="new"),
    path("retention/", views.retention_report, name="retention"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/step/<slug:step>/", views.incident_step, name="step"),
    path("<int:pk>/children/", views.incident_children, name="children"),
    path("<int:pk>/children/add/", views.child_edit, name="child-add"),
    path("<int:pk>/children/<int:child_pk>/", views.child_edit, name="child-edit"),
    path("<int:pk>/children/<int:child_pk>/remove/", views.child_remove, name="child-remove"),
    path("<int:pk>/check/", views.incident_check, name="check"),
    path("<int:pk>/return-to-draft/", views.return_to_draft, name="return-to-draft"),
    path("<int:pk>/record-notification/", views.record_notification, name="record"),
    path("<int:pk>/correct-notification/", views.correct_notification, name="correct-notification"),
    path("<int:pk>/correct-awareness/", views.correct_awareness, name="correct-awareness"),
    path("<int:pk>/not-notifying/", views.not_notifying, name="not-notifying"),
    path("<int:pk>/reconsider/", views.reconsider, name="reconsider"),
    path("<int:pk>/entered-in-error/", views.enter_in_error, name="enter-in-error"),
    path("<int:pk>/ready-to-send/", views.ready_to_send, name="ready-to-send"),
    path("<int:pk>/notification.pdf", views.notification_pdf, name="pdf"),
    path(
        "<int:pk>/notification-as-corrected.pdf",
        views.notification_pdf_corrected,
        name="pdf-corrected",
    ),
    path("<int:pk>/attachments/", views.attachments, name="attachments"),
    path("<int:pk>/export/", views.case_export, name="export"),
    path("<int:pk>/delete/", views.case_delete, name="case-delete"),
    path("<int:pk>/keep/", views.case_keep, name="case-keep"),
    path("<int:pk>/stop-keeping/", views.case_keep_stop, name="case-keep-stop"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment-remove",
    ),
]
