"""serve: an OpenAI-compatible HTTP API for a released model."""
