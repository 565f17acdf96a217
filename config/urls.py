"""URL map: public site, accounts, workspace, campaigns, API, health."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("sciday.portal.urls")),
    path("", include("sciday.core.urls")),
    path("accounts/", include("sciday.accounts.urls")),
    path("workspace/", include("sciday.orgs.urls")),
    path("campaigns/", include("sciday.campaigns.urls")),
    path("activities/", include("sciday.activities.urls_public")),
    path("workspace/activities/", include("sciday.activities.urls_workspace")),
    path("resources/", include("sciday.resources.urls_public")),
    path("workspace/resources/", include("sciday.resources.urls_workspace")),
    path("uploads/tus/", include("sciday.resources.urls_tus")),
    path("showcase/", include("sciday.showcase.urls_public")),
    path("workspace/showcase/", include("sciday.showcase.urls_workspace")),
    path("news/", include("sciday.news.urls_public")),
    path("workspace/news/", include("sciday.news.urls_workspace")),
    path("workspace/reports/board/", include("sciday.reports.urls_board")),
    path("workspace/reports/settings/", include("sciday.reports.urls_settings")),
    path("workspace/reports/", include("sciday.reports.urls_pages")),
    path("workspace/reports/compilation/", include("sciday.reports.urls_compilation")),
    path("search/", include("sciday.search.urls")),
    path("api/v1/", include("sciday.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
