from django.urls import path

from sciday.activities import views_public as views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("calendar/", views.activity_calendar_view, name="calendar"),
    path("provinces/", views.activity_provinces_view, name="provinces"),
    path("feed.ics", views.activity_feed_view, name="feed"),
    path("<int:pk>/", views.activity_detail_view, name="detail"),
    path("<int:pk>.ics", views.activity_ics_view, name="ics"),
]
