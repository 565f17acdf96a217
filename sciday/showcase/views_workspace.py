"""The showcase's workspace (/workspace/showcase/): nominations, review, notices, honours.

Thin views: selectors read and authorise (404 out of sight, 403 when only seen), services write
and validate; a `DomainError` goes back on the form (400) or into a message, nothing written.
Materials are never linked from /media/: `nomination_file` checks the policy, then serves.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sciday.accounts.models import Role, User
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.campaigns.views import _page, admin_required
from sciday.core.errors import DomainError, NotAllowed, apply_to_form
from sciday.orgs import policy as orgs_policy
from sciday.orgs.models import Unit
from sciday.orgs.views import workspace_view
from sciday.resources import serving
from sciday.showcase import policy, selectors, services
from sciday.showcase.forms import (
    AnswerForm,
    CheckForm,
    ExpertsForm,
    FileForm,
    HonourForm,
    NominationForm,
    NoticeForm,
    ProfileForm,
    QuotaForm,
    ScoreForm,
)
from sciday.showcase.models import HonourKind, Nomination, Status
from sciday.showcase.policy import Cap
from sciday.showcase.services import Transition

PAGE_SIZE = 25
STATUS_BADGES: dict[str, str] = {
    Status.DRAFT: "badge",
    Status.SUBMITTED: "badge badge-warn",
    Status.QUALIFIED: "badge badge-ok",
    Status.NOT_QUALIFIED: "badge badge-err",
    Status.SHORTLISTED: "badge badge-ok",
    Status.IN_NOTICE: "badge badge-warn",
    Status.PUBLISHED: "badge badge-ok",
}
TRANSITION_LABELS = {
    Transition.SUBMIT: gettext_lazy("Submit the nomination"),
    Transition.QUALIFY: gettext_lazy("Qualified"),
    Transition.DISQUALIFY: gettext_lazy("Not qualified"),
    Transition.SHORTLIST: gettext_lazy("Shortlist"),
    Transition.DELETE: gettext_lazy("Delete the draft"),
}
TRANSITION_DONE = {
    Transition.SUBMIT: gettext_lazy("The nomination was submitted."),
    Transition.QUALIFY: gettext_lazy("The nomination qualifies."),
    Transition.DISQUALIFY: gettext_lazy("The nomination does not qualify."),
    Transition.SHORTLIST: gettext_lazy("The nomination was shortlisted."),
    Transition.DELETE: gettext_lazy("The draft was deleted."),
}


def _nominable_units(user):
    visible = orgs_policy.units_for(user, orgs_policy.Cap.UNIT_VIEW).filter(is_active=True)
    ids = [u.pk for u in visible.order_by("path") if policy.can_nominate_in(user, u)]
    return Unit.objects.filter(pk__in=ids).order_by("path")


def _open_honours():
    campaign = campaign_current()
    if campaign is None:
        return HonourKind.objects.none()
    today = services.now_in_shanghai().date()
    return HonourKind.objects.filter(campaign=campaign, nomination_deadline__gte=today)


# --- Nominations -----------------------------------------------------------------------------


@workspace_view
def nomination_list(request) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in Status.values:
        status = None
    qs = selectors.nomination_workspace_list(viewer=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.badge = STATUS_BADGES.get(item.status, "badge")  # type: ignore[attr-defined]
    return render(
        request,
        "showcase/workspace/nomination_list.html",
        {
            "page": page,
            "status": status or "",
            "statuses": Status.choices,
            "is_admin": policy.is_admin(request.user),
            "may_nominate": _nominable_units(request.user).exists() and _open_honours().exists(),
        },
    )


@workspace_view
def nomination_create(request) -> HttpResponse:
    units = _nominable_units(request.user)
    if not units.exists():
        raise NotAllowed()
    honours = _open_honours()
    form = NominationForm(
        request.POST or None,
        honours=honours,
        units=units,
        initial={"unit": units[0].pk} if units.count() == 1 else {},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                nomination = services.nomination_create(
                    actor=request.user,
                    honour=data["honour"],
                    unit=data["unit"],
                    **form.service_data(),
                )
            except DomainError as error:
                if isinstance(error, NotAllowed):
                    raise
                apply_to_form(form, error)
            else:
                messages.success(request, _("The nomination was saved: now add its materials."))
                return redirect("showcase_admin:detail", pk=nomination.pk)
    return render(
        request,
        "showcase/workspace/nomination_form.html",
        {"form": form, "honours": honours},
        status=status,
    )


@workspace_view
def nomination_edit(request, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(viewer=request.user, pk=pk, cap=Cap.EDIT)
    if nomination.status != Status.DRAFT:
        raise NotAllowed(_("Only a draft nomination can be edited."))
    initial = {k: getattr(nomination, k) for k in services.NOMINATION_FIELDS}
    form = NominationForm(request.POST or None, nomination=nomination, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.nomination_update(
                    actor=request.user, nomination=nomination, **form.service_data()
                )
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The nomination was saved."))
                return redirect("showcase_admin:detail", pk=nomination.pk)
    return render(
        request,
        "showcase/workspace/nomination_form.html",
        {"form": form, "nomination": nomination},
        status=status,
    )


def _detail_context(request, nomination: Nomination, **extra) -> dict:
    user = request.user
    transitions = services.nomination_transitions(user, nomination)
    is_admin = policy.is_admin(user)
    unit_side = policy.can_nominate_in(user, nomination.unit)
    my_score = None
    if Transition.SCORE in transitions or policy.is_expert(user):
        my_score = (
            next(iter(selectors.scores_visible(viewer=user, nomination=nomination)), None)
            if not is_admin
            else None
        )
    context = {
        "nomination": nomination,
        "badge": STATUS_BADGES.get(nomination.status, "badge"),
        "files": list(nomination.files.all()),
        "missing": services.missing_materials(nomination),
        "transitions": [
            (t.value, TRANSITION_LABELS[t]) for t in transitions if t != Transition.SCORE
        ],
        "may_edit": nomination.status == Status.DRAFT and policy.can(user, Cap.EDIT, nomination),
        "may_score": Transition.SCORE in transitions,
        "may_see_phone": is_admin or unit_side,
        "is_admin": is_admin,
        "scores": selectors.scores_visible(viewer=user, nomination=nomination) if is_admin else [],
        "average": selectors.score_average(nomination=nomination) if is_admin else None,
        "my_score": my_score,
        "file_form": extra.pop("file_form", None) or FileForm(),
        "check_form": extra.pop("check_form", None) or CheckForm(),
        "score_form": extra.pop("score_form", None)
        or ScoreForm(
            initial={"score": my_score.score, "comment": my_score.comment} if my_score else None
        ),
    }
    context.update(extra)
    return context


@workspace_view
def nomination_detail(request, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(viewer=request.user, pk=pk)
    return render(
        request, "showcase/workspace/nomination_detail.html", _detail_context(request, nomination)
    )


@workspace_view
@require_POST
def nomination_file_upload(request, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(viewer=request.user, pk=pk, cap=Cap.EDIT)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.nomination_file_add(
                actor=request.user,
                nomination=nomination,
                kind=form.cleaned_data["kind"],
                upload=upload,
                name=upload.name,
                size=upload.size,
            )
        except DomainError as error:
            apply_to_form(form, error)
        else:
            messages.success(request, _("The file was added."))
            return redirect("showcase_admin:detail", pk=nomination.pk)
    context = _detail_context(request, nomination, file_form=form)
    return render(request, "showcase/workspace/nomination_detail.html", context, status=400)


@workspace_view
def nomination_file(request, pk: int, fid: int) -> HttpResponseBase:
    """Serve a material after the policy check (the unit, campaign admins, the honour's experts)."""
    item = selectors.file_get(viewer=request.user, nomination_pk=pk, pk=fid)
    inline = item.mime_type.startswith("image/") or item.mime_type == "application/pdf"
    served = serving.Served(
        name=item.file.name or "",
        content_type=item.mime_type,
        filename=f"nomination-{pk}-{item.original_name}",
        as_attachment=not inline,
        sha256=item.sha256,
    )
    storage = item.file.storage
    if serving.is_s3(storage):
        return serving.signed_redirect(storage, served)
    return serving.stream(request, storage, served, cache_control="private, max-age=300")


@workspace_view
@require_POST
def nomination_file_delete(request, pk: int, fid: int) -> HttpResponse:
    item = selectors.file_get(viewer=request.user, nomination_pk=pk, pk=fid)
    try:
        services.nomination_file_remove(actor=request.user, item=item)
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The file was removed."))
    return redirect("showcase_admin:detail", pk=pk)


@workspace_view
@require_POST
def nomination_transition(request, pk: int, name: str) -> HttpResponse:
    try:
        transition = Transition(name)
    except ValueError:
        raise Http404 from None
    nomination = selectors.nomination_get(viewer=request.user, pk=pk)
    if transition not in services.nomination_transitions(request.user, nomination):
        raise NotAllowed(_("This step is not possible now."))
    form = CheckForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if transition == Transition.SUBMIT:
            services.nomination_submit(actor=request.user, nomination=nomination)
        elif transition == Transition.DELETE:
            services.nomination_delete(actor=request.user, nomination=nomination)
            messages.success(request, str(TRANSITION_DONE[transition]))
            return redirect("showcase_admin:list")
        elif transition in (Transition.QUALIFY, Transition.DISQUALIFY):
            services.nomination_check(
                actor=request.user,
                nomination=nomination,
                qualified=transition == Transition.QUALIFY,
                reason=reason,
            )
        elif transition == Transition.SHORTLIST:
            services.nomination_shortlist(actor=request.user, nomination=nomination)
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        if error.field == "reason":
            apply_to_form(form, error)
            context = _detail_context(request, nomination, check_form=form)
            return render(request, "showcase/workspace/nomination_detail.html", context, status=400)
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(TRANSITION_DONE[transition]))
    return redirect("showcase_admin:detail", pk=pk)


@workspace_view
@require_POST
def nomination_score(request, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(viewer=request.user, pk=pk)
    form = ScoreForm(request.POST)
    if form.is_valid():
        try:
            services.score_set(
                actor=request.user,
                nomination=nomination,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            apply_to_form(form, error)
        else:
            messages.success(request, _("Your score was recorded."))
            return redirect("showcase_admin:detail", pk=pk)
    context = _detail_context(request, nomination, score_form=form)
    return render(request, "showcase/workspace/nomination_detail.html", context, status=400)


@workspace_view
def profile_edit(request, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(viewer=request.user, pk=pk, cap=Cap.REVIEW)
    initial = {k: getattr(nomination, k) for k in services.PROFILE_FIELDS}
    initial["activity_ids"] = ", ".join(
        str(i) for i in nomination.related_activities.values_list("pk", flat=True)
    )
    initial["resource_ids"] = ", ".join(
        str(i) for i in nomination.related_resources.values_list("pk", flat=True)
    )
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.profile_update(
                    actor=request.user, nomination=nomination, **form.cleaned_data
                )
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The profile was saved."))
                return redirect("showcase_admin:detail", pk=pk)
    return render(
        request,
        "showcase/workspace/profile_form.html",
        {"form": form, "nomination": nomination},
        status=status,
    )


# --- Public notices (campaign admins) --------------------------------------------------------


@workspace_view
def notice_list(request) -> HttpResponse:
    notices = selectors.notice_list(viewer=request.user)
    campaign = campaign_current()
    form = NoticeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if campaign is None:
            raise Http404
        if form.is_valid():
            try:
                notice = services.notice_open(
                    actor=request.user, campaign=campaign, **form.cleaned_data
                )
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The public notice is open."))
                return redirect("showcase_admin:notice", pk=notice.pk)
    shortlisted = selectors.nomination_workspace_list(
        viewer=request.user, status=Status.SHORTLISTED
    )
    return render(
        request,
        "showcase/workspace/notice_list.html",
        {"notices": notices, "form": form, "shortlisted": shortlisted, "campaign": campaign},
        status=status,
    )


@workspace_view
def notice_detail(request, pk: int) -> HttpResponse:
    policy.require_admin(request.user)
    notice = selectors.notice_get_public(pk=pk)
    if request.method == "POST":
        try:
            services.notice_publish(actor=request.user, notice=notice)
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The profiles are published."))
        return redirect("showcase_admin:notice", pk=pk)
    objections = list(selectors.objection_list(viewer=request.user, notice=notice))
    return render(
        request,
        "showcase/workspace/notice_detail.html",
        {
            "notice": notice,
            "nominations": selectors.notice_nominations(notice=notice),
            "objections": objections,
            "answer_form": AnswerForm(),
            "is_open": services.notice_is_open(notice),
            "is_over": not services.notice_is_open(notice)
            and services.notice_end(notice) <= services.now_in_shanghai(),
        },
    )


@workspace_view
@require_POST
def objection_answer(request, pk: int) -> HttpResponse:
    objection = selectors.objection_get(viewer=request.user, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.objection_answer(actor=request.user, objection=objection, **form.cleaned_data)
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The answer was recorded."))
    else:
        messages.error(request, _("Write the answer."))
    return redirect("showcase_admin:notice", pk=objection.notice_id)


# --- Honours of a campaign (a tab of the campaign admin pages) --------------------------------


def _experts():
    return (
        User.objects.filter(is_active=True, memberships__role=Role.EXPERT)
        .distinct()
        .order_by("name")
    )


@admin_required
def campaign_honours(request, campaign: Campaign) -> HttpResponse:
    """List the campaign's honours; add one; edit one (`?honour=`), its quotas and experts."""
    honours = list(selectors.honour_list(campaign=campaign))
    chosen = None
    wanted = request.GET.get("honour") or request.POST.get("honour")
    if wanted:
        chosen = get_object_or_404(HonourKind, campaign=campaign, pk=wanted)
    back = reverse("showcase_admin:honours", args=[campaign.pk])
    if chosen is not None:
        back += f"?honour={chosen.pk}"
    forms = {
        "honour_form": HonourForm(instance=chosen) if chosen else HonourForm(),
        "quota_form": QuotaForm(),
        "experts_form": ExpertsForm(
            experts=_experts(), initial={"experts": list(chosen.experts.all())} if chosen else None
        ),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        status = 400
        try:
            if action in ("create", "update"):
                form = HonourForm(request.POST, instance=chosen if action == "update" else None)
                forms["honour_form"] = form
                if form.is_valid():
                    data = {k: form.cleaned_data[k] for k in services.HONOUR_FIELDS}
                    if action == "update" and chosen is not None:
                        services.honour_update(actor=request.user, honour=chosen, **data)
                    else:
                        chosen = services.honour_create(
                            actor=request.user, campaign=campaign, **data
                        )
                        back = reverse("showcase_admin:honours", args=[campaign.pk])
                        back += f"?honour={chosen.pk}"
                    messages.success(request, _("The honour was saved."))
                    return redirect(back)
            elif action == "quota" and chosen is not None:
                quota_form = QuotaForm(request.POST)
                forms["quota_form"] = quota_form
                if quota_form.is_valid():
                    services.quota_set(actor=request.user, honour=chosen, **quota_form.cleaned_data)
                    messages.success(request, _("The quota was saved."))
                    return redirect(back)
            elif action == "experts" and chosen is not None:
                experts_form = ExpertsForm(request.POST, experts=_experts())
                forms["experts_form"] = experts_form
                if experts_form.is_valid():
                    services.honour_experts_set(
                        actor=request.user,
                        honour=chosen,
                        experts=list(experts_form.cleaned_data["experts"]),
                    )
                    messages.success(request, _("The experts were saved."))
                    return redirect(back)
            else:
                messages.error(request, _("Unknown action."))
                return redirect(back)
        except DomainError as error:
            target = {
                "quota": "quota_form",
                "experts": "experts_form",
            }.get(action or "", "honour_form")
            apply_to_form(forms[target], error)
    return _page(
        request,
        "showcase/workspace/honours.html",
        campaign,
        honours=honours,
        chosen=chosen,
        status=status,
        **forms,
    )
