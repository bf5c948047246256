"""Schools' private records: SIP assignments, visits, priorities and support categories."""
