"""Renderers: turn library results into tables and JSON. Everything they print is redacted."""
