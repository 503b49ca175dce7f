"""Prefect tasks: thin wrappers that open a resource, call the pure core and record the result."""
