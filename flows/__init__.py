"""Prefect flows: compose tasks; own nothing else. Entrypoints are listed in prefect.yaml."""
