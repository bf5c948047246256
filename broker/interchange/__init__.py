"""The directory's interchange format: JSON Lines import and export (see the README)."""
