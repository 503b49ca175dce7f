"""Cascaded calendars: schemes that extend a parent scheme, cycles in a tree, changes that flow down to
the child cycles and results that flow up to the parent's aggregation."""
