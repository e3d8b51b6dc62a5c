"""Links in API bodies are built from one reverse() per route (emissions.api.common.LinkField): they must be exactly
what reverse() gives for every route and argument the API links to, under any script prefix."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from emissions.api.common import LinkField

ROUTES = [
    ("api-vendor-detail", ["google"]), ("vendor", ["google"]), ("api-model-detail", ["meta", "llama-3.1-8b"]),
    ("model-detail", ["google", "gemini-2.5-pro"]), ("api-model-footprints", ["meta", "llama-3.1-8b"]),
    ("api-label-detail", ["stability", "sd-3.5-large"]), ("label-svg", ["meta", "llama-3.1-8b"]),
    ("label", ["meta", "llama-3.1-8b"]), ("api-accelerator-detail", ["nvidia-h100-sxm"]),
    ("api-region-detail", ["aws", "us-east-1"]), ("api-zone-detail", ["US-CAL-CISO"]),
    ("api-factor-detail", [412]), ("api-factor-history", [7303900001]), ("api-source-detail", ["ember-2025"]),
]  # fmt: skip


def link(view_name: str, args: list) -> str:
    field = LinkField(view_name, lambda _: args)
    field.bind("url", None)
    return field.to_representation(object())


@pytest.mark.parametrize("view_name, args", ROUTES)
def test_a_link_is_what_reverse_gives(view_name, args):
    assert link(view_name, args) == reverse(view_name, args=args)


def test_links_follow_the_script_prefix():
    try:
        set_script_prefix("/footprint/")
        assert link("api-model-detail", ["meta", "llama-3.1-8b"]) == "/footprint/api/v1/models/meta/llama-3.1-8b/"
    finally:
        set_script_prefix("/")
