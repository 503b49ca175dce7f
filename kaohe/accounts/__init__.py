"""Accounts of the web portal: passwords, invitations, lockout, sessions and API tokens."""
