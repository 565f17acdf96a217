"""The public news pages, mounted at /news/."""

from django.urls import path

from sciday.news import feeds
from sciday.news import views_public as views

app_name = "news"

urlpatterns = [
    path("", views.news_list, name="list"),
    path("rss.xml", feeds.rss, name="rss"),
    path("atom.xml", feeds.atom, name="atom"),
    path("<int:pk>/", views.news_detail, name="detail"),
    path("<int:pk>/cover/<slug:size>", views.news_cover, name="cover"),
]
