"""cjmap measure: hold a journey map against an event log.

spec (what the map asks to measure) -> sql (the one aggregate query, any dialect) -> engine
(DuckDB runs it on a local file) or aggregates (a warehouse's exported result) -> analyse (pure
Python over the small aggregate) -> report / written (outputs and the measurement file).
"""
