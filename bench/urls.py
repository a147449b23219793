"""The project's URLs plus `/bench/minimal`, the throughput anchor: a Django view that
does no work, served by the same project, settings and middleware."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal", minimal, name="bench_minimal"),
    path("", include("safeguarding.urls")),
]
