"""Quality assurance: recommendations under the two-school rule, QA review, lapse and the audit trail.

Other features call `broker.assurance.services` (request_recommendations, submit_for_review,
renew, withdraw_listing); the views here are the QA officers' pages under /qa.
"""
