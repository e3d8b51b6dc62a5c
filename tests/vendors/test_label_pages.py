"""/labels/<vendor>/<model>.svg (a valid, accessible, cacheable SVG) and /labels/<vendor>/<model>/ (the label with
its embed code)."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pytest

from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import AIModel

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def parse_svg(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    return ET.fromstring(response.content)  # noqa: S314 - our own response, and the test is that it parses


def test_the_svg_is_valid_xml_with_a_title_and_description_it_is_labelled_by(client, catalogue):
    root = parse_svg(client.get("/labels/google/gemini-test.svg"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Carbon label G: Gemini Test"
    assert "carbon label G" in desc.text and "g CO₂e per typical request" in desc.text
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert set(root.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")} <= ids
    texts = " ".join(text.strip() for text in root.itertext())
    assert "CARBON LABEL" in texts and "per request" in texts


def test_the_svg_is_self_contained(client, catalogue):
    body = client.get("/labels/meta/llama-3.1-8b.svg").content.decode()
    for outside in ("href=", "<image", "@import", "url(", "<script", "http://", "https://"):
        assert outside not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_svg_is_cacheable_and_revalidates_with_its_etag(client, catalogue):
    response = client.get("/labels/meta/llama-3.1-8b.svg")
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get("/labels/meta/llama-3.1-8b.svg", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content
    AIModel.objects.filter(slug="meta/llama-3.1-8b").update(name="Llama Renamed")
    changed = client.get("/labels/meta/llama-3.1-8b.svg", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_markup_in_a_model_name_stays_text_in_the_svg(client, catalogue):
    AIModel.objects.filter(slug="meta/llama-3.1-8b").update(name='Llama <b>&"bold"</b>')
    root = parse_svg(client.get("/labels/meta/llama-3.1-8b.svg"))
    assert root.find(f"{SVG}title").text.endswith('Llama <b>&"bold"</b>')
    assert root.find(f".//{SVG}b") is None


def test_an_unrated_model_gets_a_grey_label_saying_so(client, small_catalogue):
    root = parse_svg(client.get("/labels/meta/llama-3.1-8b.svg"))
    assert root.find(f"{SVG}title").text == "Carbon label not rated: Llama 3.1 8B"
    assert "no carbon label yet" in root.find(f"{SVG}desc").text


@pytest.mark.parametrize("url", ["/labels/meta/llama-9.svg", "/labels/nobody/llama-3.1-8b.svg",
                                 "/labels/meta/llama-9/", "/labels/meta/Llama-3.1-8b/"])  # fmt: skip
def test_an_unknown_model_has_no_label(client, catalogue, url):
    assert client.get(url).status_code == 404


def test_the_label_page_shows_the_label_and_code_to_embed_it(client, catalogue):
    response = client.get("/labels/meta/llama-3.1-8b/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<img src="http://testserver/labels/meta/llama-3.1-8b.svg"' in page
    snippet = html.unescape(page.split('<textarea id="embed-html" readonly rows="4">')[1].split("</textarea>")[0])
    assert snippet.startswith('<a href="http://testserver/models/meta/llama-3.1-8b/"><img src="http://testserver/')
    assert 'width="360" height="176"></a>' in snippet
    assert "[![Carbon label of Llama 3.1 8B](http://testserver/labels/meta/llama-3.1-8b.svg)]" in page
    for grade in "ABCDEFG":
        assert f'<span class="grade grade-{grade}">{grade}</span>' in page
    assert "≤ 0.25 × median" in page and "&gt; 4 × median" in page


def test_the_embed_snippet_escapes_what_it_quotes(client, catalogue):
    AIModel.objects.filter(slug="meta/llama-3.1-8b").update(name='Llama "quoted" <i>')
    page = client.get("/labels/meta/llama-3.1-8b/").content.decode()
    snippet = html.unescape(page.split('<textarea id="embed-html" readonly rows="4">')[1].split("</textarea>")[0])
    assert 'alt="Llama &quot;quoted&quot; &lt;i&gt;: carbon label' in snippet
    assert "<i>" not in page


@pytest.mark.parametrize("url", ["/labels/meta/llama-3.1-8b/", "/labels/meta/llama-3.1-8b.svg"])
def test_label_pages_read_a_handful_of_queries(client, catalogue, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
