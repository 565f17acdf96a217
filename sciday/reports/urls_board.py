"""The completeness board and who is expected to report, mounted at /workspace/reports/board/."""

from django.urls import path

from sciday.reports import views_board as views

app_name = "report_board"

urlpatterns = [
    path("", views.board, name="board"),
    path("remind/", views.remind, name="remind"),
    path("expected/", views.expected, name="expected"),
    path("expected/recompute/", views.expected_recompute, name="expected_recompute"),
    path("expected/<int:unit_id>/remove/", views.expected_remove, name="expected_remove"),
]
