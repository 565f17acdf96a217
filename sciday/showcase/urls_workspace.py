"""The showcase's workspace, mounted at /workspace/showcase/."""

from django.urls import path

from sciday.showcase import views_workspace as views

app_name = "showcase_admin"

urlpatterns = [
    path("", views.nomination_list, name="list"),
    path("new/", views.nomination_create, name="create"),
    path("<int:pk>/", views.nomination_detail, name="detail"),
    path("<int:pk>/edit/", views.nomination_edit, name="edit"),
    path("<int:pk>/files/", views.nomination_file_upload, name="file_upload"),
    path("<int:pk>/files/<int:fid>/", views.nomination_file, name="file"),
    path("<int:pk>/files/<int:fid>/delete/", views.nomination_file_delete, name="file_delete"),
    path("<int:pk>/score/", views.nomination_score, name="score"),
    path("<int:pk>/profile/", views.profile_edit, name="profile"),
    path("<int:pk>/do/<slug:name>/", views.nomination_transition, name="transition"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="answer"),
    path("campaigns/<int:pk>/honours/", views.campaign_honours, name="honours"),
]
