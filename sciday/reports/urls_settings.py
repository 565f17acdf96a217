"""The campaign's report settings, mounted at /workspace/reports/settings/."""

from django.urls import path

from sciday.reports import views_settings as views

app_name = "report_settings"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("figures/", views.figure_add, name="figure_add"),
    path("figures/<int:figure_id>/remove/", views.figure_remove, name="figure_remove"),
]
