"""audit: memorisation, extraction, membership inference, canaries and output tracing."""
