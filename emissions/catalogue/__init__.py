"""Reading the catalogue shipped in ``data/``: CSV files into typed rows, with row-numbered errors."""
