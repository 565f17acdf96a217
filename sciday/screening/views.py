"""The 敏感词 tab of a campaign's admin pages: list, search, add, import, switch off, delete."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from sciday.campaigns.models import Campaign
from sciday.campaigns.views import _page, admin_required
from sciday.core.errors import DomainError, apply_to_form
from sciday.screening import selectors, services
from sciday.screening.forms import ImportForm, WordForm

PAGE_SIZE = 50
TEMPLATE = "screening/sensitive_words.html"


def _filters(request) -> tuple[str, str]:
    query = " ".join(request.GET.get("q", "").split())[:50]
    status = request.GET.get("status", "all")
    return query, status if status in selectors.STATUSES else "all"


def _back(campaign: Campaign, query: str, status: str):
    url = reverse("campaigns:sensitive_words", args=[campaign.pk])
    params = {k: v for k, v in (("q", query), ("status", status)) if v and v != "all"}
    return redirect(f"{url}?{urlencode(params)}" if params else url)


def _row_action(request, campaign: Campaign, action: str) -> None:
    item = selectors.word_get(actor=request.user, campaign=campaign, pk=request.POST.get("word"))
    if item is None:
        raise DomainError(_("That word is no longer in the list."))
    if action == "deactivate":
        services.word_deactivate(actor=request.user, item=item)
        messages.success(request, _("“%(word)s” is no longer matched.") % {"word": item.word})
    elif action == "activate":
        services.word_activate(actor=request.user, item=item)
        messages.success(request, _("“%(word)s” is matched again.") % {"word": item.word})
    else:
        services.word_delete(actor=request.user, item=item)
        messages.success(request, _("“%(word)s” was deleted.") % {"word": item.word})


@admin_required
def sensitive_words(request, campaign: Campaign):
    query, status = _filters(request)
    word_form, import_form, status_code = WordForm(), ImportForm(), 200
    if request.method == "POST":
        action = request.POST.get("action")
        status_code = 400
        if action == "add":
            word_form = WordForm(request.POST)
            if word_form.is_valid():
                try:
                    item = services.word_add(
                        actor=request.user, campaign=campaign, **word_form.cleaned_data
                    )
                except DomainError as error:
                    apply_to_form(word_form, error)
                else:
                    messages.success(request, _("“%(word)s” was added.") % {"word": item.word})
                    return _back(campaign, query, status)
        elif action == "import":
            import_form = ImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                data = import_form.cleaned_data
                try:
                    if data["file"]:
                        text = services.decode_upload(data["file"].read())
                        field = "file"
                    else:
                        text, field = data["text"], "text"
                    result = services.words_import(
                        actor=request.user,
                        campaign=campaign,
                        text=text,
                        category=data["category"],
                        field=field,
                    )
                except DomainError as error:
                    apply_to_form(import_form, error)
                else:
                    messages.success(
                        request,
                        _("%(added)d words added; %(skipped)d skipped (blank or already listed).")
                        % {"added": result.added, "skipped": result.skipped},
                    )
                    return _back(campaign, query, status)
        elif action in ("deactivate", "activate", "delete"):
            try:
                _row_action(request, campaign, action)
            except DomainError as error:
                messages.error(request, str(error.message))
            return _back(campaign, query, status)
        else:
            messages.error(request, _("Unknown action."))
            return _back(campaign, query, status)
    words = selectors.word_list(actor=request.user, campaign=campaign, search=query, status=status)
    page = Paginator(words, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        TEMPLATE,
        campaign,
        page=page,
        query=query,
        state=status,
        states=[
            ("all", _("All")),
            ("active", _("Matched")),
            ("inactive", _("Switched off")),
        ],
        counts=selectors.word_counts(actor=request.user, campaign=campaign),
        word_form=word_form,
        import_form=import_form,
        status=status_code,
    )
