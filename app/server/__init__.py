"""ASGI plumbing (middleware, metrics, access logs, socket fixes); imports nothing of api or service."""
