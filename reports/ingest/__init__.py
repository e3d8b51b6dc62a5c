"""Usage ingestion: from an uploaded file to checked, monthly, tier-tagged usage records.

The pipeline, each step plain functions over plain values (the ORM only in ``selectors``):

1. ``readers`` streams a CSV or JSON file as numbered rows of cells; ``openai`` sums an OpenAI Usage API export
   per month and model.
2. ``validate`` checks every row (``values``: counts, spend, currencies; ``periods``: months, dates and pro-rata
   splitting; ``resolve``: model names against the ``catalogue`` snapshot), tags its data-quality tier, splits it
   into monthly records kept in a compact ``batch.RecordBatch``; ``duplicates`` finds repeated rows; ``errors``
   collects what is wrong, by row and column.
3. ``reports.services.uploads`` decides what follows (reject, confirm names, decide replace or merge, write) and
   ``reports.services.usage.usage_batch_write`` writes all the records in one transaction.

Also here: ``limits`` (size, rows, errors listed, queue threshold: constants tests can monkeypatch), ``forms``
and ``samples`` (the usage page's form and sample CSV), ``summary`` (the page's monthly summary, from the
rollups). docs/usage-formats.md describes the formats for users.
"""
