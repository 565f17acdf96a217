"""RSS 2.0 (/news/rss.xml) and Atom (/news/atom.xml) feeds of the published news.

The newest `FEED_LIMIT` published items (by publication, pinning aside: a feed reader sorts by
date), of one category with `?category=` (an unknown category gives the whole feed). Titles and
summaries are plain text; django.contrib.syndication escapes them.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from sciday.core.pagecache import public_page
from sciday.core.richtext import richtext_to_text
from sciday.news.models import Category, NewsItem, Status

FEED_LIMIT = 50


class NewsRssFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request, *args, **kwargs) -> str:
        category = request.GET.get("category", "")
        return category if category in Category.values else ""

    def title(self, obj: str) -> str:
        base = _("News and announcements")
        return f"{base} · {Category(obj).label}" if obj else base

    def link(self, obj: str) -> str:
        url = reverse("news:list")
        return f"{url}?category={obj}" if obj else url

    def description(self, obj: str) -> str:
        return _("News and announcements of the National Science and Technology Workers Day.")

    def items(self, obj: str):
        qs = NewsItem.objects.filter(status=Status.PUBLISHED).select_related("unit")
        if obj:
            qs = qs.filter(category=obj)
        return qs.order_by("-published_at", "-id")[:FEED_LIMIT]

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        if item.summary:
            return item.summary
        return richtext_to_text(item.body)[:300] if item.body else ""

    def item_link(self, item: NewsItem) -> str:
        return reverse("news:detail", args=[item.pk])

    def item_pubdate(self, item: NewsItem):
        return item.published_at

    def item_updateddate(self, item: NewsItem):
        return item.updated_at

    def item_author_name(self, item: NewsItem) -> str:
        return item.unit.name

    def item_categories(self, item: NewsItem):
        return [str(Category(item.category).label)]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: str) -> str:
        return self.description(obj)


rss = public_page(NewsRssFeed())
atom = public_page(NewsAtomFeed())
