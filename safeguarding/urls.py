from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", include("safeguarding.core_urls")),
    path("incidents/", include("notifications.urls")),
    path("rapid-reviews/", include("rapid_reviews.urls")),
    path("local-reviews/", include("lcspr.urls")),
    path("learning-from-reviews/", include("lcspr.public_urls")),
    # Administrators sign in as everyone does: the service's sign-in has the lockouts,
    # the address limit and the second factor; Django's own admin form has none of them.
    # Someone signed in who is not an administrator is refused there, not sent round.
    path("admin/login/", views.admin_sign_in),
    # An administrator's own password is changed where everyone's is: that page audits the
    # change and e-mails them; Django's admin page did neither.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="safeguarding:password-change"),
    ),
    path(
        "admin/password_change/done/",
        RedirectView.as_view(pattern_name="safeguarding:account"),
    ),
    path("admin/", admin.site.urls),
]

handler400 = "safeguarding.views.bad_request"
handler403 = "safeguarding.views.permission_denied"
handler404 = "safeguarding.views.page_not_found"
handler500 = "safeguarding.views.server_error"

__all__ = ["urlpatterns", "views"]
