"""Repositories over the models. They add and query; they never commit (the caller's session does)."""
