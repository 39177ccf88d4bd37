"""The auditor's workplace: the access log joined to cases, grants and referrals, the
anomaly rules and the review of emergency access."""
