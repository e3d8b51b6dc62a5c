"""emissions.catalogue_version: every write that can change a public figure changes the version; the per-process
watch re-reads it at most once per interval; memos forget everything when it moves on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emissions.catalogue_version import CatalogueMemo, CatalogueWatch, catalogue_version
from emissions.models import FootprintRate, ModelFootprint, Source
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue, run_pending_jobs
from vendors.models import AIModel, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)
    return catalogue_dir


def test_the_version_is_one_query_and_stable_while_nothing_changes(catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = catalogue_version()
    assert catalogue_version() == first


def test_renaming_a_model_changes_the_version(catalogue):
    before = catalogue_version()
    model = AIModel.objects.get(slug="meta/llama-3.1-8b")
    model.name = "Llama renamed"
    model.save()
    assert catalogue_version() != before


def test_a_change_of_serving_regions_changes_the_version(catalogue):
    model = AIModel.objects.get(slug="google/gemini-test")
    before = catalogue_version()
    model.serving_regions.remove(Region.objects.get(slug="gcp/europe-west4"))
    assert catalogue_version() != before


def test_approving_a_factor_changes_it_and_so_does_each_step_of_the_recompute(catalogue, curator):
    versions = [catalogue_version()]
    draft = factor_create_draft(data=FactorInput(
        kind="renewable_share", subject=Region.objects.get(slug="gcp/us-east4"), value=0.5, unit="fraction",
        valid_from=dt.date(2023, 1, 1), source=Source.objects.get(key="google-test"),
    ))  # fmt: skip
    versions.append(catalogue_version())
    factor_approve(factor=draft, user=curator)  # marks the affected rates stale
    versions.append(catalogue_version())
    assert FootprintRate.objects.filter(stale_since__isnull=False).exists()
    run_pending_jobs()  # publishes new figures
    versions.append(catalogue_version())
    assert len(set(versions)) == len(versions), "every step gave a new version"


def test_marking_a_rate_stale_or_publishing_it_changes_the_version(catalogue):
    rate = FootprintRate.objects.order_by("pk").first()
    before = catalogue_version()
    FootprintRate.objects.filter(pk=rate.pk).update(version=rate.version + 1, stale_since=timezone.now())
    marked = catalogue_version()
    FootprintRate.objects.filter(pk=rate.pk).update(computed_version=rate.version + 1, stale_since=None)
    assert len({before, marked, catalogue_version()}) == 3


def test_deleting_or_repointing_a_model_footprint_changes_the_version(catalogue):
    footprint = ModelFootprint.objects.order_by("pk").first()
    other_rate = FootprintRate.objects.exclude(pk=footprint.rate_id).order_by("pk").first()
    before = catalogue_version()
    ModelFootprint.objects.filter(pk=footprint.pk).update(rate=other_rate)
    repointed = catalogue_version()
    ModelFootprint.objects.filter(pk=footprint.pk).delete()
    assert len({before, repointed, catalogue_version()}) == 3


def test_any_catalogue_edit_changes_the_version_even_one_no_ranking_shows(catalogue):
    """Erring on the side of a new version is harmless (edits are rare); missing one would serve stale figures."""
    before = catalogue_version()
    source = Source.objects.get(key="google-test")
    source.title = "Retitled"
    source.save()
    assert catalogue_version() != before


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_watch_reads_the_version_at_most_once_per_interval(catalogue, django_assert_num_queries):
    clock = FakeClock()
    watch = CatalogueWatch(recheck_seconds=lambda: 1.0, clock=clock)
    with django_assert_num_queries(1):
        first = watch.current()
        clock.now += 0.99
        assert watch.current() == first
    model = AIModel.objects.get(slug="meta/llama-3.1-8b")
    model.name = "Renamed"
    model.save()
    assert watch.current() == first, "not re-read within the interval"
    clock.now += 0.01
    assert watch.current() != first, "re-read once the interval is over"


class ScriptedWatch:
    """A watch whose version the test sets."""

    def __init__(self):
        self.version = (1,)

    def current(self) -> tuple:
        return self.version


def test_a_memo_keeps_values_while_the_version_holds_and_forgets_them_when_it_moves():
    watch = ScriptedWatch()
    memo = CatalogueMemo(maxsize=10, watch=watch)
    computed = []
    assert memo.get_or_compute("a", lambda: computed.append("a") or "A1") == "A1"
    assert memo.get_or_compute("a", lambda: computed.append("a") or "A2") == "A1"
    watch.version = (2,)
    assert memo.get_or_compute("a", lambda: computed.append("a") or "A3") == "A3"
    assert computed == ["a", "a"]


def test_a_value_computed_under_an_older_version_is_not_kept():
    watch = ScriptedWatch()
    memo = CatalogueMemo(maxsize=10, watch=watch)
    _, version = memo.lookup("a")
    watch.version = (2,)
    memo.lookup("b")  # another request has seen the new version meanwhile
    memo.put("a", "computed from version 1", version=version)
    assert memo.lookup("a") == (None, (2,))


def test_a_memo_drops_the_least_recently_used_entry_beyond_its_size():
    memo = CatalogueMemo(maxsize=2, watch=ScriptedWatch())
    for key in ("a", "b"):
        memo.get_or_compute(key, lambda key=key: key.upper())
    memo.lookup("a")  # a is now the most recently used
    memo.get_or_compute("c", lambda: "C")
    assert [memo.lookup(key)[0] for key in ("a", "b", "c")] == ["A", None, "C"]
