"""Personal API tokens: shown once, stored hashed, revocable, and what a presented token proves."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from reports.authentication import ApiTokenAuthentication
from reports.models import ApiToken
from reports.services.tokens import api_token_authenticate, api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_token_is_stored(people):
    token, raw = api_token_create(user=people.analyst, name="nightly")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith(f"aif_{stored.prefix}_") and len(raw) > 40
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())


def test_a_valid_token_authenticates_its_user_and_records_its_use(people):
    _, raw = api_token_create(user=people.analyst, name="nightly")
    found = api_token_authenticate(raw)
    assert found.user == people.analyst and found.last_used_at is not None


def test_use_is_written_at_most_once_a_minute(people):
    token, raw = api_token_create(user=people.analyst, name="nightly")
    earlier = timezone.now() - dt.timedelta(seconds=20)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    api_token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == earlier


@pytest.mark.parametrize("mangle", [lambda r: r[:-1] + ("A" if r[-1] != "A" else "B"), lambda r: "x" + r, lambda r: ""])
def test_a_wrong_or_malformed_token_authenticates_nobody(people, mangle):
    _, raw = api_token_create(user=people.analyst, name="nightly")
    assert api_token_authenticate(mangle(raw)) is None


def test_a_revoked_token_or_an_inactive_user_authenticates_nobody(people):
    token, raw = api_token_create(user=people.analyst, name="nightly")
    api_token_revoke(token=token)
    assert api_token_authenticate(raw) is None
    _, other = api_token_create(user=people.viewer, name="other")
    people.viewer.is_active = False
    people.viewer.save()
    assert api_token_authenticate(other) is None


def test_drf_rejects_a_bad_bearer_token_instead_of_falling_back_to_anonymous(people, rf):
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    request = Request(rf.get("/api/v1/", HTTP_AUTHORIZATION="Bearer aif_nope_nope"))
    with pytest.raises(AuthenticationFailed):
        ApiTokenAuthentication().authenticate(request)
    assert ApiTokenAuthentication().authenticate(Request(rf.get("/api/v1/"))) is None


def test_the_account_page_shows_a_new_token_once_and_revokes_it(client, people):
    client.force_login(people.analyst)
    response = client.post(reverse("account"), {"action": "create", "name": "laptop"})
    token = ApiToken.objects.get(user=people.analyst)
    page = response.content.decode()
    raw = page.split('id="new-token">')[1].split("<")[0]
    assert api_token_authenticate(raw).pk == token.pk and response["Cache-Control"] == "no-store"
    assert raw not in client.get(reverse("account")).content.decode()
    client.post(reverse("account"), {"action": "revoke", "token": token.pk})
    assert api_token_authenticate(raw) is None


def test_a_user_cannot_revoke_someone_elses_token(client, people):
    token, raw = api_token_create(user=people.admin, name="admin's")
    client.force_login(people.viewer)
    assert client.post(reverse("account"), {"action": "revoke", "token": token.pk}).status_code == 404
    assert client.post(reverse("account"), {"action": "revoke", "token": "x"}).status_code == 404
    assert api_token_authenticate(raw) is not None


def test_the_command_prints_a_working_token_lists_and_revokes_it(people):
    out = StringIO()
    call_command("api_token", "create", "--user", people.analyst.username, "--name", "ci", stdout=out)
    raw = out.getvalue().strip()
    token = api_token_authenticate(raw)
    assert token.user == people.analyst
    listing = StringIO()
    call_command("api_token", "list", "--user", people.analyst.username, stdout=listing)
    assert token.prefix in listing.getvalue() and raw not in listing.getvalue()
    call_command("api_token", "revoke", token.prefix, stdout=StringIO())
    assert api_token_authenticate(raw) is None
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("api_token", "create", "--user", "ghost")
