"""The catalogue API (/api/v1/vendors|models|accelerators|regions|zones/): lists with filters, ordering and pages,
details by the site's identifiers, bad parameters as 400s naming them, unknown identifiers as 404s, and lists
that read a fixed number of queries however many rows they hold."""

from __future__ import annotations

import pytest

from emissions.models import Source
from tests.emissions.api.api_helpers import counted_queries, problems, results
from vendors.models import Accelerator, AIModel, GridZone, Region, Vendor

pytestmark = pytest.mark.django_db


def slugs(response, key: str = "slug") -> list[str]:
    return [row[key] for row in results(response)]


def grow() -> None:
    """60 more models of 6 more vendors, each served from both regions by an accelerator, and 60 more zones."""
    source = Source.objects.get(key="meta-test")
    regions = list(Region.objects.all())
    accelerator = Accelerator.objects.get(slug="nvidia-h100-sxm")
    for v in range(6):
        vendor = Vendor.objects.create(slug=f"extra-{v}", name=f"Extra {v}", hq_country="FRA", source=source)
        for m in range(10):
            model = AIModel.objects.create(
                vendor=vendor, slug=f"extra-{v}/model-{m}", name=f"Model {v}.{m}", task="text-generation",
                architecture="dense", serving_accelerator=accelerator, source=source,
            )  # fmt: skip
            model.serving_regions.set(regions)
    GridZone.objects.bulk_create(
        GridZone(code=f"ZZ-{i:02}", name=f"Zone {i}", kind="subnational", country="FRA", source=source)
        for i in range(60)
    )


@pytest.fixture
def grown(catalogue):
    grow()


# -- vendors -------------------------------------------------------------------------------------------------------


def test_vendors_list_every_vendor_by_name_with_its_model_count(api, catalogue):
    response = api.get("/api/v1/vendors/")
    rows = results(response)
    expected = sorted(Vendor.objects.all(), key=lambda vendor: vendor.name)
    assert [row["slug"] for row in rows] == [vendor.slug for vendor in expected]
    assert {row["slug"]: row["model_count"] for row in rows} == {
        vendor.slug: AIModel.objects.filter(vendor=vendor).count() for vendor in expected
    }
    google = next(row for row in rows if row["slug"] == "google")
    assert google["url"] == "http://testserver/api/v1/vendors/google/"
    assert google["page_url"] == "http://testserver/vendors/google/"
    assert google["source"] == "google-test" and google["net_zero_year"] == 2030


def test_vendors_filter_by_headquarters_country_in_any_case(api, catalogue):
    assert slugs(api.get("/api/v1/vendors/?hq_country=gbr")) == ["stability"]
    assert slugs(api.get("/api/v1/vendors/?hq_country=USA")) == ["google", "meta"]


def test_vendors_order_by_model_count_descending(api, catalogue):
    rows = results(api.get("/api/v1/vendors/?ordering=-model_count"))
    counts = [row["model_count"] for row in rows]
    assert counts == sorted(counts, reverse=True) and rows[0]["slug"] == "google"


def test_an_unknown_ordering_is_a_400_naming_the_parameter(api, catalogue):
    response = api.get("/api/v1/vendors/?ordering=-size")
    assert response.status_code == 400
    assert "“size”" in problems(response)["ordering"]


def test_a_vendor_lists_its_models(api, catalogue):
    response = api.get("/api/v1/vendors/google/")
    assert response.status_code == 200
    body = response.json()
    assert [m["slug"] for m in body["models"]] == sorted(
        AIModel.objects.filter(vendor__slug="google").values_list("slug", flat=True)
    )
    assert body["model_count"] == len(body["models"])


def test_an_unknown_vendor_is_a_404_naming_the_slug(api, catalogue):
    response = api.get("/api/v1/vendors/nobody/")
    assert response.status_code == 404
    assert "nobody" in problems(response)["slug"]


# -- models --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, expected", [
    ("vendor=google", AIModel.objects.filter(vendor__slug="google")),
    ("task=image-generation", AIModel.objects.filter(task="image-generation")),
    ("open_weights=true", AIModel.objects.filter(open_weights=True)),
    ("open_weights=false", AIModel.objects.filter(open_weights=False)),
    ("architecture=moe", AIModel.objects.filter(architecture="moe")),
    ("accelerator=google-tpu-v5e", AIModel.objects.filter(serving_accelerator__slug="google-tpu-v5e")),
    ("region=gcp/europe-west4", AIModel.objects.filter(serving_regions__slug="gcp/europe-west4")),
    ("vendor=google&task=text-generation", AIModel.objects.filter(vendor__slug="google", task="text-generation")),
])  # fmt: skip
def test_models_filter_by_each_parameter(api, catalogue, query, expected):
    found = slugs(api.get(f"/api/v1/models/?{query}"))
    assert found == sorted(expected.values_list("slug", flat=True))
    assert found, "every filter of the test selects something"


def test_models_order_by_vendor_name_then_slug(api, catalogue):
    rows = results(api.get("/api/v1/models/?ordering=vendor"))
    keys = [(row["vendor"]["name"], row["slug"]) for row in rows]
    assert keys == sorted(keys)


@pytest.mark.parametrize("query, field, says", [
    ("vendor=nobody", "vendor", "Unknown vendor “nobody”"),
    ("task=poetry", "task", "Unknown task “poetry”"),
    ("open_weights=maybe", "open_weights", "true or false"),
    ("region=gcp/moon-1", "region", "Unknown region “gcp/moon-1”"),
    ("accelerator=abacus", "accelerator", "Unknown accelerator “abacus”"),
    ("architecture=lstm", "architecture", "Unknown architecture “lstm”"),
    ("ordering=price", "ordering", "“price”"),
])  # fmt: skip
def test_a_bad_model_filter_is_a_400_naming_it(api, catalogue, query, field, says):
    response = api.get(f"/api/v1/models/?{query}")
    assert response.status_code == 400
    assert says in problems(response)[field]


def test_a_model_is_found_by_vendor_and_model_parts_with_its_links_and_scores(api, catalogue):
    response = api.get("/api/v1/models/meta/llama-3.1-8b/")
    assert response.status_code == 200
    body = response.json()
    model = AIModel.objects.get(slug="meta/llama-3.1-8b")
    assert (body["slug"], body["name"], body["task"]) == (model.slug, model.name, model.task)
    assert body["vendor"]["slug"] == "meta" and body["serving_accelerator"] == "nvidia-h100-sxm"
    assert body["serving_regions"] == ["gcp/us-east4"]
    assert body["quality_scores"] == [{"benchmark": "MMLU", "value": 69.4, "source": "meta-test"}]
    for link in ("page_url", "footprints_url", "label_url"):
        assert api.get(body[link]).status_code == 200, link


def test_an_unknown_model_is_a_404_naming_the_model(api, catalogue):
    response = api.get("/api/v1/models/meta/llama-99/")
    assert response.status_code == 404
    assert "meta/llama-99" in problems(response)["model"]


# -- accelerators, regions, zones ----------------------------------------------------------------------------------


def test_accelerators_list_and_filter_by_kind_and_maker(api, catalogue):
    assert slugs(api.get("/api/v1/accelerators/")) == ["google-tpu-v5e", "nvidia-h100-sxm"]  # maker, year, slug
    assert slugs(api.get("/api/v1/accelerators/?kind=gpu")) == ["nvidia-h100-sxm"]
    assert slugs(api.get("/api/v1/accelerators/?maker=nvidia")) == ["nvidia-h100-sxm"]
    assert "Unknown kind “fpga”" in problems(api.get("/api/v1/accelerators/?kind=fpga"))["kind"]


def test_an_accelerator_by_slug(api, catalogue):
    body = api.get("/api/v1/accelerators/nvidia-h100-sxm/").json()
    assert (body["memory_gb"], body["kind"], body["source"]) == (80.0, "gpu", "nvidia-test")
    assert api.get("/api/v1/accelerators/abacus/").status_code == 404


def test_regions_list_with_their_zone_and_filter_by_zone(api, catalogue):
    rows = results(api.get("/api/v1/regions/"))
    assert {row["slug"]: row["zone"] for row in rows} == {"gcp/europe-west4": "NLD", "gcp/us-east4": "US-MIDA-PJM"}
    assert slugs(api.get("/api/v1/regions/?zone=NLD")) == ["gcp/europe-west4"]
    assert slugs(api.get("/api/v1/regions/?country=usa")) == ["gcp/us-east4"]
    assert "Unknown grid zone “XXX”" in problems(api.get("/api/v1/regions/?zone=XXX"))["zone"]


def test_a_region_by_operator_and_code(api, catalogue):
    body = api.get("/api/v1/regions/gcp/us-east4/").json()
    assert (body["slug"], body["city"], body["zone"]) == ("gcp/us-east4", "Ashburn", "US-MIDA-PJM")
    assert body["url"] == "http://testserver/api/v1/regions/gcp/us-east4/"
    response = api.get("/api/v1/regions/gcp/moon-1/")
    assert response.status_code == 404 and "gcp/moon-1" in problems(response)["code"]


def test_zones_list_filter_and_detail(api, catalogue):
    assert slugs(api.get("/api/v1/zones/"), "code") == sorted(GridZone.objects.values_list("code", flat=True))
    assert slugs(api.get("/api/v1/zones/?kind=subnational"), "code") == ["US-MIDA-PJM"]
    assert api.get("/api/v1/zones/US-MIDA-PJM/").json()["name"] == "PJM Interconnection"
    assert "ATL" in problems(api.get("/api/v1/zones/ATL/"))["code"]


# -- pages and queries ---------------------------------------------------------------------------------------------


def test_lists_come_in_pages_of_50_with_links(api, grown):
    total = GridZone.objects.count()
    first = api.get("/api/v1/zones/").json()
    assert (first["count"], len(first["results"]), first["previous"]) == (total, 50, None)
    second = api.get(first["next"]).json()
    assert len(second["results"]) == total - 50 and second["next"] is None
    codes = [row["code"] for row in first["results"] + second["results"]]
    assert codes == sorted(GridZone.objects.values_list("code", flat=True))


@pytest.mark.parametrize("page", ["9", "0", "two"])
def test_a_page_that_does_not_exist_is_a_404_naming_the_page(api, catalogue, page):
    response = api.get(f"/api/v1/zones/?page={page}")
    assert response.status_code == 404
    assert f"“{page}”" in problems(response)["page"]


LIST_QUERIES = {  # count + page (+ one prefetch of the models' regions): whatever the page holds
    "/api/v1/vendors/": 2,
    "/api/v1/models/": 3,
    "/api/v1/models/?vendor=extra-1&region=gcp/us-east4": 5,  # + one lookup per filter given
    "/api/v1/accelerators/": 2,
    "/api/v1/regions/": 2,
    "/api/v1/zones/": 2,
}


@pytest.mark.parametrize("url", LIST_QUERIES)
def test_a_list_reads_a_fixed_number_of_queries(api, grown, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(LIST_QUERIES[url]):
        assert api.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/vendors/", "/api/v1/models/", "/api/v1/zones/"])
def test_queries_do_not_grow_with_the_rows_listed(api, catalogue, url):
    with counted_queries() as few:
        small = api.get(url).json()["count"]
    grow()
    with counted_queries() as many:
        large = api.get(url).json()["count"]
    assert large > small and len(many) == len(few)


@pytest.mark.parametrize("url", ["/api/v1/vendors/google/", "/api/v1/models/google/gemini-test/",
                                 "/api/v1/accelerators/google-tpu-v5e/", "/api/v1/regions/gcp/us-east4/",
                                 "/api/v1/zones/FRA/"])  # fmt: skip
def test_a_detail_reads_at_most_three_queries(api, catalogue, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(3):
        assert api.get(url).status_code == 200
