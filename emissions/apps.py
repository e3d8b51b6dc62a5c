from django.apps import AppConfig


class EmissionsConfig(AppConfig):
    name = "emissions"
    verbose_name = "Emission factors and footprints"
