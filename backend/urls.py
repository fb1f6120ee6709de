"""Top-level routes. Each app owns its own urls module."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend import errors, health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("healthz/worker", health.healthz_worker, name="healthz-worker"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("booking.api.urls")),
    path("feeds/", include("feeds.urls")),
    path("notifications/", include("notifications.urls")),
    path("personal/", include("staff.urls")),
    path("konto/", include("staff.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]

handler404 = errors.handler404
handler500 = errors.handler500
handler400 = errors.handler400
