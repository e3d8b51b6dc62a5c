"""The emissions app's REST API (/api/v1/): factors and sources, curation, rankings, footprints, labels, estimates.

One module per area; ``common`` holds what every view shares (also the catalogue API in ``vendors.api``).
"""
