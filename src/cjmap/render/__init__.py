"""Renderers: pure functions from a validated map to text or bytes. No file I/O here."""
