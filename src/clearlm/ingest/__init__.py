"""Ingest: turn folders, JSONL, Parquet and WARC files into documents, quarantining what cannot be read."""
