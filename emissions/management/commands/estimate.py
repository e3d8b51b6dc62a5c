"""python manage.py estimate inference|training … — footprints from the command line (table or JSON).

Bad input prints one line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math

from django.core.management.base import BaseCommand, CommandError

from emissions import estimate_requests
from emissions.estimation import EstimateInputError

METRIC_LABELS = [
    ("energy_kwh", "Energy", "kWh"),
    ("operational_co2e_kg", "Operational CO2e (location-based)", "kg"),
    ("operational_co2e_market_kg", "Operational CO2e (market-based)", "kg"),
    ("embodied_co2e_kg", "Embodied CO2e", "kg"),
    ("total_co2e_kg", "Total CO2e (location + embodied)", "kg"),
    ("water_l", "Water", "L"),
]


class OneLineParser(argparse.ArgumentParser):
    """argparse errors as a single line and exit code 2 (no usage dump)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def non_negative(option: str, *, integer: bool = False, positive: bool = False):
    def parse(raw: str):
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise argparse.ArgumentTypeError(f"{option} must be {kind}, got {raw!r}") from None
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            bound = "greater than 0" if positive else "0 or more"
            raise argparse.ArgumentTypeError(f"{option} must be {bound}, got {raw}")
        return value

    return parse


def _place_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--region", help="cloud region slug, e.g. aws/us-east-1")
    where.add_argument("--zone", help="grid zone code, e.g. FRA or US-CAL-CISO")
    where.add_argument("--grid-intensity", type=non_negative("--grid-intensity"), metavar="G", help="gCO2e/kWh")
    parser.add_argument("--pue", type=non_negative("--pue", positive=True), metavar="P", help="facility PUE (>= 1)")
    parser.add_argument("--format", choices=["table", "json"], default="table")


class Command(BaseCommand):
    help = "Estimate the footprint of inference or training from the catalogue's approved factors."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        subparsers = parser.add_subparsers(dest="what", required=True, parser_class=OneLineParser)
        inference = subparsers.add_parser("inference", help="requests to a model")
        inference.add_argument("--model", required=True, help="model slug, e.g. meta/llama-3.1-8b")
        inference.add_argument(
            "--output-tokens", required=True, type=non_negative("--output-tokens"), metavar="N",
            help="output tokens per request (images, 1k embedded tokens or audio seconds for other tasks)",
        )  # fmt: skip
        inference.add_argument("--input-tokens", type=non_negative("--input-tokens"), default=0.0, metavar="N")
        inference.add_argument("--requests", type=non_negative("--requests", positive=True), default=1.0, metavar="N")
        inference.add_argument("--accelerator", help="serving accelerator slug (default: the model's)")
        inference.add_argument("--batch-size", type=non_negative("--batch-size", positive=True), metavar="B")
        _place_options(inference)
        training = subparsers.add_parser("training", help="a training run")
        training.add_argument("--accelerator", required=True, help="accelerator slug, e.g. nvidia-a100-sxm-80gb")
        training.add_argument("--accelerator-hours", type=non_negative("--accelerator-hours"), metavar="H")
        training.add_argument("--accelerator-count", type=non_negative("--accelerator-count", integer=True),
                              metavar="N")  # fmt: skip
        training.add_argument("--hours", type=non_negative("--hours"), metavar="H", help="wall-clock hours")
        training.add_argument("--power-watts", type=non_negative("--power-watts", positive=True), metavar="W")
        training.add_argument("--energy-kwh", type=non_negative("--energy-kwh"), metavar="E", help="disclosed energy")
        _place_options(training)
        for sub in (inference, training):
            sub.prog = f"{prog_name} {subcommand} {sub.prog.split()[-1]}"
        return parser

    def handle(self, *args, what: str, **options):
        try:
            result, title = self._estimate(what, options)
        except EstimateInputError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except ValueError as exc:  # the engine refusing an input it cannot use
            raise CommandError(str(exc), returncode=2) from None
        data = result.to_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2, default=str))
        else:
            self._table(title, data)

    def _estimate(self, what: str, options):
        if options.get("pue") is not None and options["pue"] < 1:
            raise EstimateInputError("--pue", f"must be 1 or more, got {options['pue']:g}")
        if what == "inference":
            model, result = estimate_requests.inference_from(options)
            return result, f"{model.slug}: {options['requests']:g} request(s)"
        hours_given = options.get("accelerator_hours") is not None
        pair_given = options.get("accelerator_count") is not None and options.get("hours") is not None
        if not (hours_given or pair_given or options.get("energy_kwh") is not None):
            # An unknown accelerator is the error to report first.
            estimate_requests.DATABASE_LOOKUPS.accelerator(options["accelerator"])
            raise EstimateInputError(
                "--accelerator-hours", "give --accelerator-hours, or --accelerator-count with --hours, or --energy-kwh"
            )
        accelerator, result = estimate_requests.training_from(options)
        return result, f"training on {accelerator.slug}"

    def _table(self, title: str, data: dict) -> None:
        write = self.stdout.write
        write(title)
        write(f"{'metric':<36} {'central':>14} {'low':>14} {'high':>14}  unit")
        for key, label, unit in METRIC_LABELS:
            low, high = data["ranges"][key]
            write(f"{label:<36} {data[key]:>14.6g} {low:>14.6g} {high:>14.6g}  {unit}")
        breakdown = data["breakdown"]
        write("Breakdown (central): " + ", ".join(f"{k} {v:.6g}" for k, v in breakdown.items()))
        if data.get("per_request"):
            per = data["per_request"]
            write(
                f"Per request: {per['energy_kwh'] * 1000:.4g} Wh, {per['total_co2e_kg'] * 1000:.4g} gCO2e, "
                f"{per['water_l'] * 1000:.4g} mL water"
            )
        write("Factors:")
        for ref in data["factors"]:
            ident = f"#{ref['id']}" if ref.get("id") else "-"
            write(f"  {ident:>6} {ref['kind']:<28} {ref['value']:>10.6g} {ref['unit']:<12} {ref['source']}")
        write(f"Methodology {data['methodology_version']}")
