"""Headteachers' recommendations: requests from providers, confirming, declining, withdrawing."""
