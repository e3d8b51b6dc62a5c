"""Personal API tokens: create (the secret is returned once), revoke, and check one presented by a client."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reports.models import ApiToken
from reports.services.audit import audit_record

TOKEN_PREFIX = "aif"  # noqa: S105 - the public start of every token, not a secret
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # last_used_at is written at most once a minute per token


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the token itself, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Say what the token is for."})
    if not user.is_active:
        raise ValidationError({"user": "Inactive users cannot have tokens."})
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, digest=_digest(raw))
    audit_record(actor=user, action="token.create", target=f"token {prefix}", summary=f"API token '{token.name}'")
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor or token.user, action="token.revoke", target=f"token {token.prefix}",
                     summary=f"API token '{token.name}' of {token.user.get_username()} revoked")  # fmt: skip
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token matching ``raw`` (its user active), recording its use; None when it matches none."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if token is None or not token.user.is_active or not hmac.compare_digest(token.digest, _digest(raw.strip())):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
