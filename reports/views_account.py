"""The signed-in user's own settings: personal API tokens (created, shown once, revoked)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from reports.models import ApiToken
from reports.services.tokens import api_token_create, api_token_revoke


@login_required
def account(request):
    new_token = None
    errors = []
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token_id = request.POST.get("token", "")
            token = get_object_or_404(ApiToken, pk=int(token_id) if token_id.isdigit() else 0, user=request.user)
            api_token_revoke(token=token, actor=request.user)
            messages.success(request, f"Token '{token.name}' revoked: it no longer works.")
            return redirect("account")
        try:
            _, new_token = api_token_create(user=request.user, name=request.POST.get("name", ""))
        except ValidationError as error:
            errors = [m for problems in error.message_dict.values() for m in problems]
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"tokens": tokens, "new_token": new_token, "errors": errors}
    response = render(request, "reports/account.html", context, status=400 if errors else 200)
    if new_token:
        response["Cache-Control"] = "no-store"  # the page holds a secret shown once
    return response
