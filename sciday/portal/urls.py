from django.urls import path

from sciday.campaigns import views as campaign_views
from sciday.campaigns import views_pdf as campaign_pdf_views
from sciday.portal import views, views_compose

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/", views.home_year, name="home_year"),
    path("banner/<int:pk>/", views.banner, name="banner"),
    path("notice/", campaign_views.notice, name="notice"),
    path("notice/<int:year>/", campaign_views.notice, name="notice_year"),
    path("notice.pdf", campaign_pdf_views.notice_pdf, name="notice_pdf"),
    path("notice/<int:year>.pdf", campaign_pdf_views.notice_pdf, name="notice_year_pdf"),
    # The campaign admins' composition page, beside the campaign's other tabs.
    path("campaigns/<int:pk>/home/", views_compose.home_compose, name="compose"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
]
