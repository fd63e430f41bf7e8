"""Persistence (the share-link stores: SQLite, PostgreSQL); may import contract only."""
