"""The machinery of the recompute pipeline: which periods a factor change touches, how rates are computed from
factors, and how results are written in bulk. The services in ``emissions.services.recompute`` drive it."""
