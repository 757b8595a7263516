"""Conditional access (有条件开放): applications, review, grants, gating of every data egress
path, usage reports and the audit trail (plugin ``govcat_access``)."""
