"""HTTP API of the assistant: FastAPI app, API keys, rate limits and the server entry point."""
