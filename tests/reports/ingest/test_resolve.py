"""Model names to catalogue models: exact slugs and names silently, close names proposed, OpenAI snapshots by their
base name. Over a hand-made catalogue: no database."""

from __future__ import annotations

import pytest

from reports.ingest.catalogue import Catalogue, CatalogueModel
from reports.ingest.resolve import ModelResolver, openai_base_name


def model(pk, slug, name, vendor_name) -> CatalogueModel:
    return CatalogueModel(pk, slug, name, slug.split("/")[0], vendor_name, "text-generation", None, 1000, 400)


CATALOGUE = Catalogue(
    [
        model(1, "google/gemini-2.5-flash", "Gemini 2.5 Flash", "Google"),
        model(2, "google/gemini-2.5-pro", "Gemini 2.5 Pro", "Google"),
        model(3, "openai/gpt-4o", "GPT-4o", "OpenAI"),
        model(4, "openai/gpt-4o-mini", "GPT-4o mini", "OpenAI"),
        model(5, "acme/twin", "Twin", "Acme"),
        model(6, "other/twin", "Twin", "Other"),
    ],
    {"gcp/us-east4": 1},
)


@pytest.mark.parametrize(
    ("args", "slug"),
    [
        (("google/gemini-2.5-flash", None, None), "google/gemini-2.5-flash"),
        (("GOOGLE/Gemini-2.5-Flash", None, None), "google/gemini-2.5-flash"),
        (("gemini 2.5 pro", None, None), "google/gemini-2.5-pro"),
        ((None, "Google", "Gemini 2.5 Pro"), "google/gemini-2.5-pro"),
        ((None, "google", "gemini-2.5-pro"), "google/gemini-2.5-pro"),
        ((None, "OpenAI", "openai/gpt-4o"), "openai/gpt-4o"),
        ((None, None, "GPT-4o mini"), "openai/gpt-4o-mini"),
    ],
)
def test_exact_slugs_and_names_resolve_silently(args, slug):
    found = ModelResolver(CATALOGUE).resolve(*args)
    assert found.model.slug == slug and not found.pending


@pytest.mark.parametrize(
    ("args", "slug"),
    [
        (("gemini 2.5 flsh", None, None), "google/gemini-2.5-flash"),
        (("Google Gemini 2.5 Pro", None, None), "google/gemini-2.5-pro"),
        ((None, "Google", "Gemni 2.5 Pro"), "google/gemini-2.5-pro"),
        ((None, "Gogle", "Gemini 2.5 Flash"), "google/gemini-2.5-flash"),
        (("twin", None, None), None),  # two models have this exact name: never chosen silently
    ],
)
def test_close_names_are_proposed_for_confirmation(args, slug):
    found = ModelResolver(CATALOGUE).resolve(*args)
    assert found.pending
    if slug:
        assert found.model.slug == slug
    else:
        assert found.model.slug in {"acme/twin", "other/twin"}


def test_a_name_with_nothing_close_is_unknown():
    assert ModelResolver(CATALOGUE).resolve("quantum-oracle-9000", None, None).unknown


def test_a_confirmed_name_resolves_to_the_chosen_model():
    resolver = ModelResolver(CATALOGUE, {"gemini 2.5 flsh": "google/gemini-2.5-pro", "Acme / Twn": "acme/twin"})
    assert resolver.resolve("gemini 2.5 flsh", None, None).model.slug == "google/gemini-2.5-pro"
    assert resolver.resolve(None, "Acme", "Twn").model.slug == "acme/twin"


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4-0613", "gpt-4"),
        ("o1", "o1"),
        ("GPT-4o", "gpt-4o"),
    ],
)
def test_openai_snapshot_names_lose_their_date(name, base):
    assert openai_base_name(name) == base


def test_openai_names_resolve_within_openai_first():
    resolver = ModelResolver(CATALOGUE)
    assert resolver.resolve_openai("gpt-4o-2024-08-06").model.slug == "openai/gpt-4o"
    proposal = resolver.resolve_openai("gpt-4o-minii")
    assert proposal.pending and proposal.model.slug == "openai/gpt-4o-mini"
