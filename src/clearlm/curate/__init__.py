"""Curation: turn allowed documents into training-grade text (boilerplate, quality, language, PII, dedup)."""
