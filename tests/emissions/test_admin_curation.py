"""Curation admin: approve/supersede only for curators, CSV import preview rejecting bad files whole."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from emissions.models import EmissionFactor, Source
from emissions.services.factors import FactorInput, factor_create_draft
from vendors.models import GridZone

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:emissions_emissionfactor_changelist")
IMPORT = reverse("admin:emissions_emissionfactor_import")
PROCESS = reverse("admin:emissions_emissionfactor_process_import")
HEADER = "kind,subject,value,value_low,value_high,unit,valid_from,valid_to,source,status,note\n"


def new_draft() -> EmissionFactor:
    return factor_create_draft(
        data=FactorInput(
            kind="grid_intensity_location",
            subject=GridZone.objects.get(code="FRA"),
            value=41.0,
            unit="gCO2e/kWh",
            valid_from=dt.date(2025, 1, 1),
            source=Source.objects.get(key="ember-test"),
        )
    )


def test_curator_approves_from_the_changelist_and_is_recorded(client, small_catalogue, curator):
    factor = new_draft()
    client.force_login(curator)
    # The action first shows an impact preview; "confirm" is its "Yes, approve" button.
    response = client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [factor.pk], "confirm": "yes"}, follow=True
    )
    assert "1 factor(s) approved." in response.content.decode()
    factor.refresh_from_db()
    assert (factor.status, factor.approved_by) == (EmissionFactor.Status.APPROVED, curator)


def test_editor_does_not_get_the_approve_action_and_cannot_force_it(client, small_catalogue, editor):
    factor = new_draft()
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert "approve_selected" not in page
    client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": [factor.pk]})
    factor.refresh_from_db()
    assert factor.status == EmissionFactor.Status.DRAFT


def test_approved_factors_cannot_be_edited_in_the_form(client, small_catalogue, curator):
    factor = EmissionFactor.objects.filter(status="approved").first()
    client.force_login(curator)
    url = reverse("admin:emissions_emissionfactor_change", args=[factor.pk])
    response = client.post(url, {"kind": factor.kind, "value": "1", "unit": factor.unit})
    factor.refresh_from_db()
    assert response.status_code in (302, 403) or "Save" not in response.content.decode()
    assert factor.value != 1


def test_history_is_visible_per_factor(client, small_catalogue, curator):
    factor = EmissionFactor.objects.filter(status="approved").first()
    client.force_login(curator)
    response = client.get(reverse("admin:emissions_emissionfactor_history", args=[factor.pk]))
    assert response.status_code == 200
    assert "catalogue: initial load" in response.content.decode()


def test_changelist_filters_and_readable_units(client, small_catalogue, curator):
    client.force_login(curator)
    page = client.get(CHANGELIST, {"kind": "pue", "status": "approved"}).content.decode()
    assert "1.09 ratio" in page
    assert "gCO2e/kWh" not in page


def import_file(client, content: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("factors.csv", content.encode(), content_type="text/csv")
    return client.post(IMPORT, {"import_file": upload, "format": "0", "resource": "0"})


def test_import_preview_writes_nothing_until_confirmed(client, small_catalogue, editor):
    client.force_login(editor)
    before = EmissionFactor.objects.count()
    response = import_file(client, HEADER + "grid_intensity_location,FRA,42,,,gCO2e/kWh,2026-01-01,,ember-test,,\n")
    assert response.status_code == 200
    assert "confirm" in response.content.decode().lower()
    assert EmissionFactor.objects.count() == before
    form = response.context["confirm_form"]
    confirm = client.post(PROCESS, {**form.initial, "resource": "0"}, follow=True)
    assert confirm.status_code == 200
    created = EmissionFactor.objects.get(zone__code="FRA", valid_from=dt.date(2026, 1, 1))
    assert (created.status, created.value, created.created_by) == (EmissionFactor.Status.DRAFT, 42, editor)


BAD_ROWS = [
    ("grid_intensity_location,XXX,42,,,gCO2e/kWh,2026-01-01,,ember-test,,", "subject", "unknown zone 'XXX'"),
    ("grid_intensity_location,FRA,-3,,,gCO2e/kWh,2026-01-01,,ember-test,,", "value", "negative"),
    ("grid_intensity_location,FRA,abc,,,gCO2e/kWh,2026-01-01,,ember-test,,", "value", "not a number"),
    ("grid_intensity_location,FRA,42,,,kgCO2e/MWh,2026-01-01,,ember-test,,", "unit", "is not valid"),
    ("grid_intensity_location,FRA,42,,,gCO2e/kWh,2026-01-01,,,,", "source", "a source is required"),
    ("grid_intensity_location,FRA,42,,,gCO2e/kWh,2026-01-01,,nobody,,", "source", "unknown source"),
    ("pue,gcp/us-east4,0.8,,,ratio,2026-01-01,,google-test,,", "value", "at least 1"),
    ("grid_intensity_location,FRA,42,,,gCO2e/kWh,2023-06-01,2023-09-01,ember-test,approved,", "valid_from",
     "overlaps approved factor"),
]  # fmt: skip


@pytest.mark.parametrize(("bad_row", "column", "message"), BAD_ROWS)
def test_a_file_with_one_bad_row_is_rejected_whole_naming_row_and_column(
    client, small_catalogue, curator, bad_row, column, message
):
    client.force_login(curator)
    good = "grid_intensity_location,NLD,260,,,gCO2e/kWh,2026-01-01,,ember-test,,\n"
    before = EmissionFactor.objects.count()
    response = import_file(client, HEADER + good + bad_row + "\n")
    page = response.content.decode()
    result = response.context["result"]
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [2]
    assert column in invalid[0].error_dict
    assert message in " ".join(invalid[0].error_dict[column])
    assert re.search(r"<td>2\s*</td>", page)  # the preview shows the row number…
    assert f'validation-error-field-label">{column}<' in page  # …the column…
    assert html.escape(message, quote=True) in page or message in page  # …and what is wrong
    assert "confirm_form" not in response.context or response.context.get("confirm_form") is None
    assert EmissionFactor.objects.count() == before


def test_only_curators_may_import_approved_rows(client, small_catalogue, editor):
    client.force_login(editor)
    response = import_file(
        client, HEADER + "grid_intensity_location,FRA,42,,,gCO2e/kWh,2030-01-01,,ember-test,approved,\n"
    )
    invalid = response.context["result"].invalid_rows
    assert "only curators may import approved factors" in invalid[0].error_dict["status"][0]


def test_export_lists_factors_with_subject_and_source_keys(client, small_catalogue, curator):
    from emissions.imports import EmissionFactorResource

    dataset = EmissionFactorResource().export()
    rows = {(row["kind"], row["subject"]): row for row in dataset.dict}
    assert rows[("pue", "gcp/europe-west4")]["source"] == "google-test"
    assert float(rows[("pue", "gcp/europe-west4")]["value"]) == 1.09
