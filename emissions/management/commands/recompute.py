"""``manage.py recompute [--all | --factor ID] [--wait]``: start a recompute and, with --wait, follow it."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from emissions.models import EmissionFactor, RecomputeJob
from emissions.services.recompute import (
    factor_as_if_changed,
    footprints_mark_all_stale,
    footprints_mark_stale,
    recompute_pending,
)

POLL_SECONDS = 0.2


class Command(BaseCommand):
    help = (
        "Recompute stored footprints. Without options: whatever is stale now. --all: everything from scratch. "
        "--factor ID: everything the factor's validity period touches. --wait: follow the job with a progress bar."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--all", action="store_true", help="mark every footprint stale and recompute it")
        what.add_argument("--factor", type=int, metavar="ID", help="recompute what this factor's period touches")
        parser.add_argument("--wait", action="store_true", help="wait for the job, showing its progress")
        parser.add_argument("--timeout", type=float, default=3600.0, help="give up waiting after this many seconds")

    def handle(self, *args, **options):
        job = self._start(options)
        if job is None:
            self.stdout.write("Nothing is stale: every footprint is up to date.")
            return
        self.stdout.write(f"Recompute job #{job.pk}: {job.affected_rates} rates, {job.affected_rollups} rollups "
                          f"({job.affected_usage_records} usage records), {job.affected_training_footprints} "
                          "training footprints.")  # fmt: skip
        if options["wait"]:
            job = self._follow(job, options["timeout"])
        else:
            job.refresh_from_db()
        self.stdout.write(f"Job #{job.pk} is {job.status}.")
        if job.status == RecomputeJob.Status.FAILED:
            raise CommandError(f"job #{job.pk} failed: {job.error}")

    def _start(self, options) -> RecomputeJob | None:
        if options["all"]:
            return footprints_mark_all_stale(note="manage.py recompute --all")
        if options["factor"] is not None:
            factor = EmissionFactor.objects.filter(pk=options["factor"]).first()
            if factor is None:
                raise CommandError(
                    f"--factor: no factor with id {options['factor']}; the admin lists factor ids "
                    "under Emission factors"
                )
            return footprints_mark_stale(
                changes=[factor_as_if_changed(factor)],
                trigger=RecomputeJob.Trigger.MANUAL,
                note=f"manage.py recompute --factor {factor.pk}",
            )
        return recompute_pending(note="manage.py recompute")

    def _follow(self, job: RecomputeJob, timeout: float) -> RecomputeJob:
        deadline = time.monotonic() + timeout
        # tqdm redraws its line with carriage returns: it writes to the raw stream, not Django's line wrapper.
        with tqdm(total=max(job.progress_total, 1), unit="row", desc=f"job #{job.pk}", file=sys.stdout) as bar:
            while True:
                job.refresh_from_db()
                bar.total = max(job.progress_total, 1)
                bar.n = bar.total if job.status == RecomputeJob.Status.SUCCEEDED else job.progress_done
                bar.set_postfix_str(job.status)
                bar.refresh()
                if not job.is_active:
                    return job
                if time.monotonic() > deadline:
                    raise CommandError(f"job #{job.pk} still {job.status} after {timeout:g} s")
                time.sleep(POLL_SECONDS)
