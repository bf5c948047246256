"""The search index layer: engine-neutral documents, queries and results, and the backends.

Imports nothing from the application, Flask or the ORM (an import-linter contract checks it).
"""
