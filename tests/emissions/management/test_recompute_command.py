"""``manage.py recompute``: starts the right job, follows it to the end, and says clearly what went wrong."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from emissions.models import EmissionFactor, FootprintRate, RecomputeJob

# Committed transactions: the job is sent on commit and, without a broker, runs in-process before --wait polls it.
pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = StringIO()
    call_command("recompute", *args, stdout=out)
    return out.getvalue()


def test_all_recomputes_every_footprint_and_waits_for_the_job(small_catalogue):
    output = run("--all", "--wait", "--timeout", "30")
    job = RecomputeJob.objects.filter(trigger="manual").get()
    assert f"Job #{job.pk} is succeeded." in output
    assert job.affected_rates == job.recomputed_rates == FootprintRate.objects.count() == 3
    assert not FootprintRate.objects.filter(stale_since__isnull=False).exists()


def test_a_factor_recomputes_what_its_period_touches(small_catalogue):
    pue = EmissionFactor.objects.get(kind="pue", region__slug="gcp/europe-west4")
    output = run("--factor", str(pue.pk), "--wait", "--timeout", "30")
    job = RecomputeJob.objects.filter(trigger="manual").get()
    assert job.factor_ids == [pue.pk] and job.affected_rates == 1  # gemini-test in europe-west4, this month
    assert "is succeeded" in output


def test_nothing_stale_says_so(small_catalogue):
    assert "Nothing is stale" in run()  # the catalogue's own job ran when the load committed


def test_an_unknown_factor_is_refused_with_where_to_find_ids(small_catalogue):
    with pytest.raises(CommandError, match=r"--factor: no factor with id 999999; the admin lists factor ids"):
        run("--factor", "999999")
    assert not RecomputeJob.objects.filter(trigger="manual").exists()
