"""Results out: pure helpers around the scoring engine for a cycle (inputs, rectification, versions, simulation)."""
