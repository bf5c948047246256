"""Backing up and restoring the database (`broker backup OUT`, `broker restore IN`)."""
