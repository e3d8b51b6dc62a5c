"""The small test catalogue grown just enough for the dashboard: a second Google text model, two image models
(one with no disclosed region, so it has a world-average footprint), all footprints computed in-process.

Text generation: Llama 3.1 8B (Meta, open weights, gcp/us-east4); Gemini Test (Google, gcp/europe-west4 and
gcp/us-east4: its default place is europe-west4, first by slug); Gemini Small Test (Google, gcp/us-east4).
Image generation: SD Test (Stability Test, open weights, no region); Imagen Test (Google, gcp/europe-west4).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from emissions.models import RecomputeJob
from emissions.services.catalogue import catalogue_load
from emissions.services.recompute import recompute_run

EXTRA_ROWS = {
    "vendors.csv": ["stability,Stability Test,https://stability.ai,GBR,,,,meta-test"],
    "models.csv": [
        "google/gemini-small-test,google,Gemini Small Test,Gemini,text-generation,2024-12-11,false,dense,"
        "google-tpu-v5e,gcp/us-east4,google-test,",
        "stability/sd-test,stability,SD Test,SD,image-generation,2023-07-26,true,diffusion,nvidia-h100-sxm,,meta-test,",
        "google/imagen-test,google,Imagen Test,Imagen,image-generation,2024-05-14,false,diffusion,google-tpu-v5e,"
        "gcp/europe-west4,google-test,",
    ],
    "model_factors.csv": [
        "google/gemini-small-test,total_params,10,,,B params,2024-12-11,,google-test,",
        "google/gemini-small-test,active_params,10,,,B params,2024-12-11,,google-test,",
    ],
}


def run_pending_jobs() -> None:
    """Compute what is stale, in-process, as a worker would (on_commit never fires inside a test transaction)."""
    for job in RecomputeJob.objects.filter(status__in=["pending", "running"]).order_by("pk"):
        recompute_run(job_id=job.pk)


def load_dashboard_catalogue(catalogue_dir: Path) -> None:
    for name, rows in EXTRA_ROWS.items():
        path = catalogue_dir / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    catalogue_load(data_dir=catalogue_dir)
    run_pending_jobs()


class _TableParser(HTMLParser):
    """Collects the text of every header and data cell of the first <table class="ranking">."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "ranking" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.rows[-1].append(text.rstrip(" ▲▼").strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def ranking_table_text(html: str) -> list[list[str]]:
    """The ranking table of a page as rows of cell texts, header row first."""
    parser = _TableParser()
    parser.feed(html)
    return parser.rows
