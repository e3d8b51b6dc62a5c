"""/methodology/ renders docs/methodology.md: tables on, raw HTML and script links neutralised."""

from __future__ import annotations

import pytest

from vendors import views


def test_the_methodology_is_rendered_with_its_tables_and_the_labels_section(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = client.get("/methodology/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in page and "Footprint methodology" in page
    assert "<table>" in page and "<th>grade</th>" in page
    assert 'id="11-carbon-labels"' in page  # the anchor the label page links to
    assert "<td>≤ 0.25</td>" in page and "<td>&gt; 4</td>" in page
    assert '<a href="/methodology/" aria-current="page">Methodology</a>' in page


@pytest.fixture
def hostile_document(tmp_path, monkeypatch):
    document = tmp_path / "methodology.md"
    document.write_text(
        "# Title\n\n<script>alert(1)</script>\n\nInline <img src=x onerror=alert(2)> and "
        "[a link](javascript:alert(3)), [fine](https://example.org) and [local](#title).\n\n"
        "| a | b |\n|---|---|\n| <b>x</b> | 2 |\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(views, "METHODOLOGY_FILE", document)
    return document


def test_raw_html_is_shown_as_text_and_script_links_are_dropped(client, db, hostile_document):
    page = client.get("/methodology/").content.decode()
    article = page.split('<article class="prose"')[1].split("</article>")[0]
    assert "<script>" not in article and "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "<img" not in article and "&lt;img src=x onerror=alert(2)&gt;" in article
    assert "javascript:" not in article and "<a>a link</a>" in article
    assert '<a href="https://example.org">fine</a>' in article and '<a href="#title">local</a>' in article
    assert "<td>&lt;b&gt;x&lt;/b&gt;</td>" in article


def test_a_missing_document_is_a_404(client, db, tmp_path, monkeypatch):
    monkeypatch.setattr(views, "METHODOLOGY_FILE", tmp_path / "gone.md")
    assert client.get("/methodology/").status_code == 404
