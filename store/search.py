"""Keyword search over customers (being built: see store services)."""
