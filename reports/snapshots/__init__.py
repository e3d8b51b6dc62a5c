"""Report snapshots: footprint rows in, the frozen figures of a report out. Plain functions, no ORM.

- ``periods``: calendar months, quarters and years, and their labels, tokens and slugs;
- ``build``: rows -> the snapshot dict stored in ``Report.snapshot``;
- ``compare``: fingerprints of a report's inputs, and the difference between two snapshots;
- ``display``: a snapshot (or a difference) as the text the HTML page and the PDF print.
"""

from reports.snapshots.build import SCHEMA_VERSION, row_gaps, snapshot_build, snapshot_figures
from reports.snapshots.compare import fingerprints, snapshot_difference
from reports.snapshots.display import difference_view, report_view
from reports.snapshots.periods import Period, period_containing, period_from_token, periods_with_data

__all__ = [
    "SCHEMA_VERSION",
    "Period",
    "difference_view",
    "fingerprints",
    "period_containing",
    "period_from_token",
    "periods_with_data",
    "report_view",
    "row_gaps",
    "snapshot_build",
    "snapshot_difference",
    "snapshot_figures",
]
