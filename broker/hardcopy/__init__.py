"""The simplified whole-directory hardcopy of an LA, and its published editions."""
