"""serve: an OpenAI-compatible HTTP API for a released model (`clearlm serve DIR`).

    from clearlm.serve.app import create_app, serve   # FastAPI app / run it with uvicorn

Nothing is imported here, so `clearlm --help` (which registers `clearlm.serve.cli`) does not load torch.
See docs/serve.md.
"""
