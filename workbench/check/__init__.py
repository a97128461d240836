"""Check: derived fields (waits that count, deprivation, groups) and the data-quality checks."""
