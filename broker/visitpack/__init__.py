"""Visit packs: a school's priorities, shortlists and suggestions for print and PDF."""
