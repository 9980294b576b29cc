"""Accounts, credentials, the current principal and the one permission check."""
