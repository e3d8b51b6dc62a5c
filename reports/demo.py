"""Demo organisations: three companies with 24 months of varied AI usage, and a user per role in each.

Local demos only (``manage.py demo`` refuses to run without DEBUG). Usage is generated from a fixed seed, so every
demo database holds the same figures. Each organisation tells a different story on its dashboard:

- Northwind Analytics: a fast-growing text workload on Azure and AWS, token-level data, a 40 % target.
- Fabrikam Health: European workloads, request-level counts and one spend-only line (a spend-based estimate).
- Contoso Retail: images and embeddings; moves its Gemini traffic to a low-carbon region half-way.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from emissions.engine import TYPICAL_REQUESTS
from emissions.models import Source, SpendFactor
from reports.models import Membership, Organisation, Report, Role, Tier, UsageRecord, UsageUpload
from reports.services.usage import UsageInput, usage_records_create
from vendors.models import AIModel, Region

DEMO_MONTHS = 24
SEED = 20261128

# An illustrative spend factor so the spend-based tier can be shown. NOT a published value: a curator replaces it
# with a sourced input-output factor (e.g. US EPA Supply Chain GHG Emission Factors, NAICS 518210) before any
# real report. Its source record says so, and reports cite it as such.
DEMO_SPEND_SOURCE_KEY = "demo-illustrative-spend-factor"
DEMO_SPEND_KG_PER_USD = (0.05, 0.1, 0.2)  # low, central, high; illustrative only


@dataclass(frozen=True)
class Line:
    """One usage line of an organisation: a model in a region, growing month by month."""

    model: str
    region: str | None
    requests: int  # in the first month
    growth: float  # per month, e.g. 0.04 = +4 %
    tier: str = Tier.TOKEN
    input_per_request: int = 0  # token-level lines only
    output_per_request: int = 0
    spend_usd: float = 0.0  # spend-based lines only: first month's spend
    from_month: int = 0  # first month index (0 = oldest) the line exists
    to_month: int = DEMO_MONTHS  # month index it stops


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    slug: str
    lines: tuple[Line, ...]
    targets: dict


ORGANISATIONS = (
    DemoOrganisation(
        "Northwind Analytics", "northwind",
        (
            Line("openai/gpt-4o", "azure/eastus", 180_000, 0.05, input_per_request=1_400, output_per_request=450),
            Line("openai/gpt-4o-mini", "azure/eastus2", 900_000, 0.06, input_per_request=700, output_per_request=220),
            Line("anthropic/claude-sonnet-4.5", "aws/us-west-2", 60_000, 0.08, input_per_request=2_600,
                 output_per_request=700, from_month=10),
            Line("openai/text-embedding-3-small", "azure/eastus", 2_500_000, 0.03, input_per_request=0,
                 output_per_request=1),
        ),
        {"baseline_year": 2025, "target_year": 2030, "reduction_target_percent": Decimal("40")},
    ),
    DemoOrganisation(
        "Fabrikam Health", "fabrikam",
        (
            Line("mistral/mistral-large-2", "azure/swedencentral", 120_000, 0.02, tier=Tier.REQUEST),
            Line("google/gemini-2.5-flash", "gcp/europe-west4", 400_000, 0.04, input_per_request=1_100,
                 output_per_request=300),
            Line("mistral/mistral-embed", "azure/swedencentral", 800_000, 0.01, tier=Tier.REQUEST),
            Line("openai/gpt-4.1", None, 0, 0.03, tier=Tier.SPEND, spend_usd=2_400.0),
        ),
        {"baseline_year": 2025, "net_zero_year": 2035, "low_carbon_threshold_g_per_kwh": 150},
    ),
    DemoOrganisation(
        "Contoso Retail", "contoso",
        (
            Line("google/imagen-3", "gcp/us-central1", 40_000, 0.03, output_per_request=1),
            Line("google/gemini-2.0-flash", "gcp/us-east4", 700_000, 0.03, input_per_request=900,
                 output_per_request=250, to_month=12),
            Line("google/gemini-2.0-flash", "gcp/europe-west4", 720_000, 0.03, input_per_request=900,
                 output_per_request=250, from_month=12),
            Line("amazon/titan-embed-text-v2", "aws/us-east-1", 1_200_000, 0.02, output_per_request=1),
        ),
        {"baseline_year": 2025, "target_year": 2028, "reduction_target_percent": Decimal("25")},
    ),
)  # fmt: skip


def demo_months(today: dt.date, count: int = DEMO_MONTHS) -> list[dt.date]:
    """The ``count`` whole months before the current one, oldest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _inputs(demo: DemoOrganisation, months: list[dt.date], models: dict, regions: dict, rng) -> list[UsageInput]:
    inputs = []
    for line in demo.lines:
        for index, month in enumerate(months):
            if not line.from_month <= index < line.to_month:
                continue
            scale = (1 + line.growth) ** index * rng.uniform(0.88, 1.12)  # growth with month-to-month noise
            model, region = models[line.model], regions.get(line.region)
            if line.tier == Tier.SPEND:
                spend = Decimal(str(round(line.spend_usd * scale, 2)))
                inputs.append(UsageInput(month, model, 0, region=region, tier=Tier.SPEND, spend=spend, currency="USD"))
                continue
            requests = int(line.requests * scale)
            if line.tier == Tier.REQUEST:  # tokens from the task's typical request, as an upload derives them
                typical = TYPICAL_REQUESTS[model.task]
                tokens = (requests * typical.input_tokens, requests * typical.output_units)
                inputs.append(UsageInput(month, model, requests, *tokens, region=region, tier=Tier.REQUEST))
            else:
                inputs.append(UsageInput(month, model, requests, requests * line.input_per_request,
                                         requests * line.output_per_request, region=region))  # fmt: skip
    return inputs


@transaction.atomic
def demo_organisations_create(*, today: dt.date, password: str) -> list[tuple[Organisation, list[str]]]:
    """(Re)create the demo organisations, their usage and members. Idempotent: usage is replaced, not doubled."""
    rng = random.Random(SEED)
    months = demo_months(today)
    source, _ = Source.objects.update_or_create(
        key=DEMO_SPEND_SOURCE_KEY,
        defaults={
            "publisher": "AI Footprint demo data",
            "title": "Illustrative spend factor for the demo (not a published value)",
            "licence": "n/a", "note": "Replace with a sourced input-output factor before reporting.",
        },
    )  # fmt: skip
    low, central, high = DEMO_SPEND_KG_PER_USD
    SpendFactor.objects.get_or_create(
        currency="USD", source=source,
        defaults={"kg_co2e_per_unit": central, "kg_co2e_per_unit_low": low, "kg_co2e_per_unit_high": high,
                  "valid_from": dt.date(2000, 1, 1), "note": "Illustrative value for the demo only."},
    )  # fmt: skip
    wanted = {line.model for demo in ORGANISATIONS for line in demo.lines}
    models = {m.slug: m for m in AIModel.objects.filter(slug__in=wanted).prefetch_related("serving_regions")}
    regions = {r.slug: r for r in Region.objects.all()}
    user_model = get_user_model()
    created = []
    for demo in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            slug=demo.slug, defaults={"name": demo.name, **demo.targets}
        )
        for model in (Report, UsageRecord, UsageUpload):  # the demo starts again from nothing
            model.objects.filter(organisation=organisation).delete()
        usage_records_create(organisation=organisation, records=_inputs(demo, months, models, regions, rng))
        usernames = []
        for role in Role:
            user, _ = user_model.objects.get_or_create(
                username=f"{demo.slug}-{role.value}", defaults={"email": f"{role.value}@{demo.slug}.example"}
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            Membership.objects.update_or_create(organisation=organisation, user=user, defaults={"role": role})
            usernames.append(user.username)
        created.append((organisation, usernames))
    consultant, _ = user_model.objects.get_or_create(
        username="consultant", defaults={"email": "consultant@example.org"}
    )
    consultant.set_password(password)
    consultant.save(update_fields=["password"])
    for organisation, _ in created[:2]:  # a user in two organisations, to show the switcher
        Membership.objects.update_or_create(organisation=organisation, user=consultant, defaults={"role": Role.ANALYST})
    return created


def demo_reports_create(*, organisations: list[Organisation], today: dt.date) -> int:
    """A yearly report of the last whole year and a report of the last whole quarter, per organisation.

    Reports are refused while rates are being computed, so what is still stale is computed here first, in-process
    (the recompute a worker would run; a run over fresh rows does nothing).
    """
    from emissions.services.recompute import active_jobs, recompute_run
    from reports.services.reports import report_generate

    for job_id in active_jobs().order_by("pk").values_list("pk", flat=True):
        recompute_run(job_id=job_id)

    last_month = demo_months(today, 1)[0]
    quarter_start = dt.date(last_month.year, 3 * ((last_month.month - 1) // 3) + 1, 1)
    if last_month.month % 3:  # the quarter is not over: the one before
        quarter_start = (quarter_start - dt.timedelta(days=1)).replace(day=1)
        quarter_start = dt.date(quarter_start.year, 3 * ((quarter_start.month - 1) // 3) + 1, 1)
    made = 0
    for organisation in organisations:
        analyst = Membership.objects.filter(organisation=organisation, role=Role.ANALYST).first()
        for kind, start in (("yearly", dt.date(today.year - 1, 1, 1)), ("quarterly", quarter_start)):
            report_generate(organisation=organisation, kind=kind, period_start=start, user=analyst and analyst.user)
            made += 1
    return made
