"""Spend factors: CO2e per unit of money spent on AI services, the last-resort (spend-based) tier.

The GHG Protocol's Scope 3 guidance ranks spend-based estimates last: money x an input-output factor. A usage
record of the spend-based tier has no tokens or requests, only spend; its CO2e is spend x the factor in force
for its currency on the first day of its month. Spend factors say nothing about energy or water, so spend-based
records add CO2e only (dashboards and reports say so).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code in capitals, e.g. USD.")


class SpendFactor(models.Model):
    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    kg_co2e_per_unit = models.FloatField(help_text="kg CO2e per unit of the currency spent (central).")
    kg_co2e_per_unit_low = models.FloatField(null=True, blank=True)
    kg_co2e_per_unit_high = models.FloatField(null=True, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="First day it no longer applies; empty: open.")
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="spend_factors")
    note = models.TextField(blank=True, help_text="Sector, price basis (purchaser/basic), price year, caveats.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(kg_co2e_per_unit__gte=0), name="spend_factor_non_negative"),
            models.CheckConstraint(
                condition=Q(kg_co2e_per_unit_low__isnull=True)
                | Q(kg_co2e_per_unit_low__lte=models.F("kg_co2e_per_unit")),
                name="spend_factor_low_not_above_value",
            ),
            models.CheckConstraint(
                condition=Q(kg_co2e_per_unit_high__isnull=True)
                | Q(kg_co2e_per_unit_high__gte=models.F("kg_co2e_per_unit")),
                name="spend_factor_high_not_below_value",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__lt=models.F("valid_to")),
                name="spend_factor_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kg_co2e_per_unit:g} kgCO2e/{self.currency} from {self.valid_from}"

    @property
    def low(self) -> float:
        return self.kg_co2e_per_unit if self.kg_co2e_per_unit_low is None else self.kg_co2e_per_unit_low

    @property
    def high(self) -> float:
        return self.kg_co2e_per_unit if self.kg_co2e_per_unit_high is None else self.kg_co2e_per_unit_high
