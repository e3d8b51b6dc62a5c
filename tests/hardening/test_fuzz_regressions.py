"""What the schema fuzzer found that a seed may not find again, as plain requests: each test is one finding,
replayed the same way on every run (the malformed inputs it found are in the bad-input corpus)."""

from __future__ import annotations

import pytest
from django.test import Client

from emissions.models import EmissionFactor
from tests.hardening.fuzzing import operations_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(hardening_world) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {hardening_world.token}")


@pytest.mark.parametrize("action", ["approve", "supersede"])
def test_options_on_a_curation_action_describes_it_rather_than_failing(curator_client, hardening_world, action):
    """Found by the coverage phase's unexpected-method probe: DRF answers OPTIONS with the view's metadata, which
    asks the view for its serializer."""
    response = curator_client.options(f"/api/v1/factors/{hardening_world.draft_factor_id}/{action}/")
    assert response.status_code == 200, response.content[:300]


def test_the_impact_preview_still_answers_when_one_closed_model_size_is_left(curator_client, hardening_world):
    """Found by a 500-example run (FUZZ_SEED=4242): once Gemini Test's size is retired, the size bracket of
    undisclosed text models is built from one closed model's size (Gemini Small Test, 10 B), and every
    footprint needing it (here the preview of a draft reaching gcp/us-east4) must still be computed."""
    size = EmissionFactor.objects.get(ai_model__slug="google/gemini-test", kind="total_params", status="approved")
    retired = curator_client.post(f"/api/v1/factors/{size.pk}/supersede/")
    assert retired.status_code == 200, retired.content[:300]
    response = curator_client.get(f"/api/v1/factors/{hardening_world.draft_factor_id}/impact/")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["rates"] > 0


def test_a_malformed_confirm_body_is_answered_in_the_documented_upload_problem_shape(curator_client, hardening_world):
    """Found by the fuzzing phase (FUZZ_EXAMPLES=25): a 400 of …/confirm/ is documented as an UploadProblem; a
    malformed body has no row or column, so the schema now makes them optional, and the body keeps its shape."""
    url = f"/api/v1/orgs/acme/usage/uploads/{hardening_world.uploads['needs_confirmation']}/confirm/"
    response = curator_client.post(url, b"\x00", content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all("message" in e and set(e) <= {"row", "column", "field", "message"} for e in errors), errors


def test_a_body_of_an_unsupported_media_type_gets_a_status_its_operation_documents(
    fuzz_document, curator_client, hardening_world
):
    """Found by the fuzzing phase (FUZZ_SEED=20250601): DRF answers 415 to a body it has no parser for, and the
    schema documents no 415. Every operation taking a body is asked, with real identifiers."""
    document, _ = fuzz_document
    undocumented = []
    for path, method, operation in operations_of(document):
        if "requestBody" not in operation:
            continue
        url = path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", str(parameter["examples"]["real"]["value"]))
        response = curator_client.generic(method.upper(), url, b"<usage/>", content_type="application/xml")
        if str(response.status_code) not in operation["responses"]:
            undocumented.append(
                f"{method.upper()} {url}: {response.status_code}, documented {list(operation['responses'])}"
            )
    assert not undocumented, "\n".join(undocumented)
