"""What validation needs to know of the catalogue, as plain values (built by ``selectors.catalogue_snapshot``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CatalogueModel:
    id: int
    slug: str
    name: str
    vendor_slug: str
    vendor_name: str
    task: str
    default_region_id: int | None  # where its usage is assumed to run when no region is given
    typical_input_tokens: int  # of one typical request of its task (emissions.engine.TYPICAL_REQUESTS)
    typical_output_units: int

    @property
    def label(self) -> str:
        return f"{self.vendor_name} {self.name} ({self.slug})"


@dataclass
class Catalogue:
    models: list[CatalogueModel]
    regions: dict[str, int]  # slug -> id
    by_slug: dict[str, CatalogueModel] = field(init=False)
    by_name: dict[str, list[CatalogueModel]] = field(init=False)  # lower-cased name -> models
    vendors: dict[str, str] = field(init=False)  # lower-cased vendor slug or name -> vendor slug

    def __post_init__(self) -> None:
        self.by_slug = {m.slug: m for m in self.models}
        by_name = defaultdict(list)
        for model in self.models:
            by_name[model.name.lower()].append(model)
        self.by_name = dict(by_name)
        self.vendors = {}
        for model in self.models:
            self.vendors[model.vendor_slug.lower()] = model.vendor_slug
            self.vendors[model.vendor_name.lower()] = model.vendor_slug

    def of_vendor(self, vendor_slug: str) -> list[CatalogueModel]:
        return [m for m in self.models if m.vendor_slug == vendor_slug]
