"""Reference data shipped with the application: England's local authorities (`broker init-db`)."""
