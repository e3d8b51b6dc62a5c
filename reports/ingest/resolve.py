"""Which catalogue model a name in a file means.

An exact slug (``google/gemini-2.5-flash``) or exact name (``Gemini 2.5 Flash``, case-insensitive, when only one
model has it) resolves silently, as does a name the user already confirmed. Otherwise the closest catalogue model
is proposed (difflib's similarity ratio over slugs and "vendor name" strings, at or above ``FUZZY_CUTOFF``) and the
upload waits for the user to confirm it or choose another. A name with nothing close is an error.

OpenAI Usage API exports name snapshots (``gpt-4o-mini-2024-07-18``, ``gpt-4-0613``): the date suffix is
stripped and the vendor is OpenAI, so they resolve to ``openai/gpt-4o-mini`` and ``openai/gpt-4``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from reports.ingest.catalogue import Catalogue, CatalogueModel

# difflib.SequenceMatcher ratio (2 x matching characters / total characters). 0.6 is difflib's own default for
# get_close_matches: below it, proposals are mostly unrelated names.
FUZZY_CUTOFF = 0.6
OPENAI_VENDOR = "openai"
SNAPSHOT_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")  # -2024-07-18, or -0613 / -1106 / -0125


@dataclass(frozen=True)
class Resolution:
    model: CatalogueModel | None  # the model (exact or confirmed), or the proposal when ``pending``
    pending: bool = False  # a proposal waiting for the user's confirmation

    @property
    def unknown(self) -> bool:
        return self.model is None


UNKNOWN = Resolution(None)


def mapping_key(model: str | None, vendor: str | None, model_name: str | None) -> str:
    """How a row's model is named in the file: the key of the confirmation mapping."""
    if model:
        return model
    return f"{vendor} / {model_name}" if vendor else (model_name or "")


def openai_base_name(name: str) -> str:
    """``gpt-4o-mini-2024-07-18`` -> ``gpt-4o-mini``: the model a dated snapshot belongs to."""
    return SNAPSHOT_SUFFIX.sub("", name.strip().lower())


class ModelResolver:
    """Resolves names against the catalogue, remembering each answer (files repeat a few names many times)."""

    def __init__(self, catalogue: Catalogue, confirmed: dict[str, str] | None = None):
        self.catalogue = catalogue
        self.confirmed = {name: catalogue.by_slug.get(slug) for name, slug in (confirmed or {}).items()}
        self._cache: dict[tuple, Resolution] = {}

    def resolve(self, model: str | None, vendor: str | None, model_name: str | None) -> Resolution:
        key = (model, vendor, model_name)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve(model, vendor, model_name)
        return found

    def resolve_openai(self, name: str) -> Resolution:
        key = ("openai", name)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve_openai(name)
        return found

    # -- rules -----------------------------------------------------------------------------------------------

    def _confirmed(self, name: str) -> Resolution | None:
        model = self.confirmed.get(name)
        return Resolution(model) if model else None

    def _resolve(self, model: str | None, vendor: str | None, model_name: str | None) -> Resolution:
        name = mapping_key(model, vendor, model_name)
        if model:
            exact = self._exact(model)
        else:
            exact = self._exact_of_vendor(vendor, model_name) if vendor else self._exact(model_name or "")
        if exact:
            return Resolution(exact)
        if confirmed := self._confirmed(name):
            return confirmed
        if model or not vendor:
            return self._propose(model or model_name or "", self.catalogue.models)
        vendor_slug = self.catalogue.vendors.get(vendor.lower())
        if vendor_slug:
            return self._propose(model_name or "", self.catalogue.of_vendor(vendor_slug), within_vendor=True)
        return self._propose(f"{vendor} {model_name}", self.catalogue.models)

    def _resolve_openai(self, name: str) -> Resolution:
        exact = self.catalogue.by_slug.get(f"{OPENAI_VENDOR}/{openai_base_name(name)}") or self._exact(name)
        if exact:
            return Resolution(exact)
        if confirmed := self._confirmed(name):
            return confirmed
        proposal = self._propose(openai_base_name(name), self.catalogue.of_vendor(OPENAI_VENDOR), within_vendor=True)
        return proposal if not proposal.unknown else self._propose(name, self.catalogue.models)

    def _exact(self, text: str) -> CatalogueModel | None:
        lowered = text.strip().lower()
        if found := self.catalogue.by_slug.get(lowered):
            return found
        named = self.catalogue.by_name.get(lowered, [])
        return named[0] if len(named) == 1 else None

    def _exact_of_vendor(self, vendor: str, model_name: str | None) -> CatalogueModel | None:
        vendor_slug = self.catalogue.vendors.get(vendor.strip().lower())
        if not vendor_slug or not model_name:
            return None
        lowered = model_name.strip().lower()
        for model in self.catalogue.of_vendor(vendor_slug):
            if lowered in (model.name.lower(), model.slug, model.slug.split("/", 1)[1]):
                return model
        return None

    def _propose(self, text: str, models: list[CatalogueModel], *, within_vendor: bool = False) -> Resolution:
        """The most similar model, compared by slug, name and "vendor name"; UNKNOWN under the cutoff."""
        choices: dict[str, CatalogueModel] = {}
        for model in models:
            keys = (
                (model.slug.split("/", 1)[1], model.name)
                if within_vendor
                else (model.slug, model.name, f"{model.vendor_name} {model.name}")
            )
            for key in keys:
                choices.setdefault(key.lower(), model)
        match = difflib.get_close_matches(text.strip().lower(), list(choices), n=1, cutoff=FUZZY_CUTOFF)
        return Resolution(choices[match[0]], pending=True) if match else UNKNOWN
