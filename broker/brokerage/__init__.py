"""Brokered support: shortlists, the head's decision, the engagement and its impact."""
