from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("safeguarding.core_urls")),
    path("incidents/", include("notifications.urls")),
    path("rapid-reviews/", include("rapid_reviews.urls")),
    path("local-reviews/", include("lcspr.urls")),
    path("learning-from-reviews/", include("lcspr.public_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "safeguarding.views.permission_denied"
handler404 = "safeguarding.views.page_not_found"
handler500 = "safeguarding.views.server_error"

__all__ = ["urlpatterns", "views"]
