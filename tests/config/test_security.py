"""Security settings that must hold on every page: CSRF on forms, the Content-Security-Policy, sign-in limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def _post_forms():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for form in FORM.findall(path.read_text(encoding="utf-8")):
            if re.search(r'method\s*=\s*"post"', form, re.I):
                yield path.relative_to(TEMPLATES), form


def test_the_templates_have_post_forms_to_check():
    assert len(list(_post_forms())) >= 5


@pytest.mark.parametrize(("template", "form"), list(_post_forms()), ids=lambda v: str(v)[:60])
def test_every_post_form_carries_a_csrf_token(template, form):
    assert "{% csrf_token %}" in form, f"a POST form in {template} has no CSRF token"


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_or_eval_scripts(client):
    policy = client.get(reverse("methodology"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy


def test_no_template_has_an_inline_script():
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text(encoding="utf-8"), re.I):
            assert "src=" in tag, f"inline <script> in {path.relative_to(TEMPLATES)}: {tag}"


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_sign_in_and_a_right_one_does_not_unlock_it(client, django_user_model):
    django_user_model.objects.create_user("dana", "dana@example.org", "the-right-password-1")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "dana", "password": "wrong"}).status_code == 200
    locked = client.post(url, {"username": "dana", "password": "wrong"})
    assert locked.status_code == 429 and "Too many sign-in attempts" in locked.content.decode()
    assert client.post(url, {"username": "dana", "password": "the-right-password-1"}).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_failure_count(client, django_user_model):
    django_user_model.objects.create_user("eli", "eli@example.org", "the-right-password-1")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "eli", "password": "wrong"})
    assert client.post(url, {"username": "eli", "password": "the-right-password-1"}).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "eli", "password": "wrong"}).status_code == 200


@pytest.mark.django_db
def test_an_unknown_api_address_answers_the_apis_json_error_and_a_page_address_the_sites_page(client):
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and api.json()["errors"][0]["field"] is None
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "Nothing here" in page.content.decode()
