"""The audit trail: one line per curation or administration action, written with the change it records."""

from __future__ import annotations

import logging

from reports.models import AuditEvent, Organisation

logger = logging.getLogger("aifootprint.audit")


def audit_record(
    *, actor, action: str, summary: str, organisation: Organisation | None = None, target: str = ""
) -> AuditEvent:
    """Record an action. Call it inside the transaction of the change, so both happen or neither."""
    real = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
        actor=real, actor_name=real.get_username() if real else "", action=action,
        organisation=organisation, target=target[:200], summary=summary[:500],
    )  # fmt: skip
    logger.info("%s %s %s: %s", event.actor_name or "system", action, target, summary)
    return event
