from django.urls import path

from sciday.activities import views_cover, views_signup
from sciday.activities import views_public as views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("calendar/", views.activity_calendar_view, name="calendar"),
    path("provinces/", views.activity_provinces_view, name="provinces"),
    path("feed.ics", views.activity_feed_view, name="feed"),
    path("<int:pk>/", views.activity_detail_view, name="detail"),
    path("<int:pk>.ics", views.activity_ics_view, name="ics"),
    path("<int:pk>/cover/<slug:size>", views_cover.activity_cover_view, name="cover"),
    path("<int:pk>/signup/", views_signup.signup_create_view, name="signup"),
    path("<int:pk>/signup/cancel/", views_signup.signup_cancel_view, name="signup_cancel"),
    path("<int:pk>/rating/", views_signup.rating_submit_view, name="rating"),
]
