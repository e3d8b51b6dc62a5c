"""Organisation list (switcher and creation), members and settings pages. Thin: forms in, services out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from reports.forms_org import MemberAddForm, MemberRoleForm, OrganisationCreateForm, OrganisationSettingsForm
from reports.models import Membership, Role
from reports.permissions import organisation_view
from reports.selectors_org import members_of, memberships_of
from reports.services.organisations import (
    membership_add,
    membership_change_role,
    membership_remove,
    organisation_create,
    organisation_update_settings,
)


def _add_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@login_required
def organisation_list(request):
    """The user's organisations; also where a new one is created."""
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(name=form.cleaned_data["name"], creator=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} created. You are its admin.")
            return redirect("org-usage", slug=organisation.slug)
    memberships = list(memberships_of(request.user))
    status = 400 if form.errors else 200
    return render(request, "reports/organisation_list.html", {"memberships": memberships, "form": form}, status=status)


@organisation_view(Role.ADMIN)
def members(request, organisation, membership):
    add_form = MemberAddForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        try:
            done = _members_change(request, organisation, add_form)
        except ValidationError as error:
            if add_form.is_bound:
                _add_errors(add_form, error)
            else:
                _flash(request, error)
        else:
            if done:
                return redirect(done)
    context = {
        "organisation": organisation, "membership": membership, "org_section": "members",
        "members": members_of(organisation), "add_form": add_form, "roles": Role.choices,
    }  # fmt: skip
    failed = request.method == "POST"  # a successful POST redirected above
    return render(request, "reports/members.html", context, status=400 if failed else 200)


def _members_change(request, organisation, add_form) -> str | None:
    """Apply one POSTed change; the address to go to next, or None when the form has errors to show."""
    action = request.POST.get("action")
    if action == "add":
        if not add_form.is_valid():
            return None
        data = add_form.cleaned_data
        added = membership_add(
            organisation=organisation, username_or_email=data["user"], role=data["role"], actor=request.user
        )
        messages.success(request, f"{added.user.get_username()} added as {added.get_role_display()}.")
        return reverse("org-members", args=[organisation.slug])
    form = MemberRoleForm(request.POST)
    if action not in {"role", "remove"} or not form.is_valid() or (action == "role" and not form.cleaned_data["role"]):
        raise ValidationError({"role": "Choose a member and one of the roles."})
    target = get_object_or_404(Membership, pk=form.cleaned_data["membership"], organisation=organisation)
    name = target.user.get_username()
    if action == "role":
        target = membership_change_role(membership=target, role=form.cleaned_data["role"], actor=request.user)
        messages.success(request, f"{name} is now {target.get_role_display()}.")
        still_admin = target.user_id != request.user.id or target.role == Role.ADMIN
    else:
        membership_remove(membership=target, actor=request.user)
        messages.success(request, f"{name} removed.")
        still_admin = target.user_id != request.user.id
    return reverse("org-members", args=[organisation.slug]) if still_admin else reverse("org-list")


def _flash(request, error: ValidationError) -> None:
    for problems in error.message_dict.values():
        for problem in problems:
            messages.error(request, problem)


@organisation_view(Role.ADMIN)
def settings_page(request, organisation, membership):
    form = OrganisationSettingsForm.for_organisation(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update_settings(organisation=organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("org-settings", slug=organisation.slug)
    context = {"organisation": organisation, "membership": membership, "org_section": "settings", "form": form}
    return render(request, "reports/settings.html", context, status=400 if form.errors else 200)
