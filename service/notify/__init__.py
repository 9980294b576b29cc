"""Notifications and mail: what a user is told, and the outbox that mails it (issue 16).

This layer knows users, never survivors: callers pass only a kind, a link and a dedupe key."""
