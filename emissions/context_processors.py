"""Site-wide state every page shows: whether footprints are being recomputed right now."""

from __future__ import annotations

from emissions.selectors import recompute_in_progress


def recompute_status(request) -> dict:
    """``recompute``: the running (or oldest waiting) recompute job, or None. One query."""
    return {"recompute": recompute_in_progress()}
