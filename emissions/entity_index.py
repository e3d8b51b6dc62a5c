"""The catalogue's models, accelerators, regions and zones by identifier, in memory, for estimates over HTTP.

``manage.py estimate`` looks each identifier up in the database (``emissions.estimation.find_model`` and its
siblings). The estimate API answers many requests a second, and those look-ups were most of its cost: two queries
cost more CPU than the engine and the factor index together. So each process keeps this index while the catalogue
version is unchanged (``emissions.catalogue_version``) and answers the same questions with the same results and
the same errors (the estimate tests run both on the same inputs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Prefetch

from emissions.catalogue_version import CatalogueMemo
from emissions.estimation import Place, unknown
from vendors.models import Accelerator, AIModel, GridZone, Region

T = TypeVar("T")


def _by_key(objects: Iterable[T], field: str) -> dict[str, T]:
    """Objects by their identifier folded to lower case, the first one winning as ``.first()`` would."""
    found: dict[str, T] = {}
    for obj in objects:
        found.setdefault(getattr(obj, field).lower(), obj)
    return found


def _found(index: dict[str, T], value: str, *, option: str, noun: str, candidates: list[str], upper: bool = False) -> T:
    """The object ``value`` names (case-insensitive), or the command's error with the closest identifiers."""
    found = index.get(value.lower())
    if found is None:
        raise unknown(option=option, noun=noun, value=value, candidates=candidates, upper=upper)
    return found


class EntityIndex:
    """Every model (with its vendor, serving accelerator and serving regions), accelerator, region and zone."""

    def __init__(self, *, models: list[AIModel], accelerators: list[Accelerator], regions: list[Region],
                 zones: list[GridZone]):  # fmt: skip
        self._models, self._accelerators = _by_key(models, "slug"), _by_key(accelerators, "slug")
        self._regions, self._zones = _by_key(regions, "slug"), _by_key(zones, "code")
        # Serving regions come prefetched in the database's slug order, the order estimation.default_place uses.
        self._first_regions = {m.pk: next(iter(m.serving_regions.all()), None) for m in models}
        self._model_slugs = [m.slug for m in models]
        self._accelerator_slugs = [a.slug for a in accelerators]
        self._region_slugs = [r.slug for r in regions]
        self._zone_codes = [z.code for z in zones]

    @classmethod
    def load(cls) -> EntityIndex:
        serving = Prefetch("serving_regions", Region.objects.select_related("zone").order_by("slug"))
        return cls(
            models=list(AIModel.objects.select_related("vendor", "serving_accelerator").prefetch_related(serving)),
            accelerators=list(Accelerator.objects.all()),
            regions=list(Region.objects.select_related("zone")),
            zones=list(GridZone.objects.all()),
        )

    def model(self, slug: str) -> AIModel:
        return _found(self._models, slug, option="--model", noun="model", candidates=self._model_slugs)

    def accelerator(self, slug: str) -> Accelerator:
        return _found(self._accelerators, slug, option="--accelerator", noun="accelerator",
                      candidates=self._accelerator_slugs)  # fmt: skip

    def region(self, slug: str) -> Region:
        return _found(self._regions, slug, option="--region", noun="region", candidates=self._region_slugs)

    def zone(self, code: str) -> GridZone:
        return _found(self._zones, code, option="--zone", noun="zone", candidates=self._zone_codes, upper=True)

    def default_place(self, model: AIModel) -> Place:
        """``estimation.default_place``: the model's first serving region by slug, else the world average."""
        return Place(region=self._first_regions[model.pk])


_LOADED = CatalogueMemo(maxsize=1)


def current_entity_index() -> EntityIndex:
    """This process's index, loaded again once the catalogue version moves on."""
    return _LOADED.get_or_compute("entities", EntityIndex.load)
