"""The report pages, mounted at /workspace/reports/."""

from django.urls import path

from sciday.reports import views_pages as views

app_name = "report_pages"

urlpatterns = [
    path("", views.report_home, name="home"),
    path("start/<int:unit_pk>/", views.report_begin, name="start"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/autosave/", views.report_autosave, name="autosave"),
    path("<int:pk>/refill/", views.report_refill, name="refill"),
    path("<int:pk>/submit/", views.report_submit_view, name="submit"),
    path("<int:pk>/compare/", views.report_compare, name="compare"),
    path("<int:pk>/scan.pdf", views.report_scan, name="scan"),
    path("<int:pk>/versions/<int:number>/scan.pdf", views.report_version_scan, name="version_scan"),
    path(
        "<int:pk>/resources/<int:resource_pk>/<slug:which>/",
        views.report_resource_file,
        name="resource_file",
    ),
    path("<int:pk>/<slug:decision>/", views.report_decide, name="decide"),
]
