import pytest

pytestmark = pytest.mark.django_db


def test_home_shows_catalogue_coverage_and_freshness(client, small_catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<dd>2 <small>over 1 tasks</small></dd>" in page
    assert "Factors as of" in page and "catalogue not loaded" not in page
    assert "Meta" in page and "2030" in page


def test_home_on_an_empty_database_explains_what_to_do(client):
    page = client.get("/").content.decode()
    assert "load_catalogue" in page
    assert "No vendors yet." in page
