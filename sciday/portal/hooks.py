"""Drop the cached public pages when something they show is published or withdrawn.

Every service records an audit entry inside its transaction; an entry whose action publishes,
withdraws or features something (an activity, a resource, news, a showcase profile) or changes
the home page's composition asks `pagecache.refresh_soon` to run once the transaction commits
(rate-limited there). So the home page shows a publication at once, not after the cached copy
expires, whoever publishes (page, API, task), and nothing is dropped for a rolled-back write.
"""

from __future__ import annotations

from django.db import transaction

from sciday.core import pagecache

# The last part of an action code that changes what the public pages show.
PUBLIC_EFFECTS = frozenset(
    {
        "published",
        "unpublished",
        "withdrawn",
        "cancelled",
        "finished",
        "featured",
        "unfeatured",
        "pinned",
        "unpinned",
        "deleted",
        "set_current",
    }
)
WATCHED_APPS = frozenset({"activities", "resources", "news", "showcase", "campaigns"})


def changes_public_pages(action: str) -> bool:
    """Does an audit entry with `action` change what anonymous visitors see?"""
    app, _, rest = action.partition(".")
    if app == "portal":
        return True
    return app in WATCHED_APPS and rest.rpartition(".")[2] in PUBLIC_EFFECTS


def on_audit_entry(sender, instance, created: bool, **kwargs) -> None:
    if created and changes_public_pages(instance.action):
        transaction.on_commit(pagecache.refresh_soon)
