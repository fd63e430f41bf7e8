"""The HTTP layer (routers, dependencies, error handlers); may import service, contract and storage."""
