"""The application's side of search: documents from the database, the index change log, queries."""
