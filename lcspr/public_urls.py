"""The public "Learning from reviews" pages (no sign-in)."""

from django.urls import path

from .views import public

app_name = "learning"

urlpatterns = [
    path("", public.index, name="index"),
    path("contrast/", public.contrast, name="contrast"),
    path("accessibility/", public.accessibility, name="accessibility"),
    path("cookies/", public.cookies, name="cookies"),
    path("privacy/", public.privacy, name="privacy"),
    path("<slug:code>/", public.partnership_page, name="partnership"),
    path("<slug:code>/<slug:slug>/", public.review_page, name="review"),
    path("<slug:code>/<slug:slug>/<slug:kind>/", public.download, name="download"),
]
