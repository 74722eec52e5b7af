"""Pure computations over a checked journey map: forecast, diff, measure. Data first (plain
dataclasses with a JSON form); the renderers and commands show them. No I/O here."""
