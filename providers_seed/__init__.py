"""The demo directory's data files, their reader and a synthetic generator (no database access)."""
