"""The national compilation, mounted at /workspace/reports/compilation/."""

from django.urls import path

from sciday.reports import views_compilation as views

app_name = "report_compilation"

urlpatterns = [
    path("", views.home, name="home"),
    path("request/", views.request_compilation, name="request"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]
