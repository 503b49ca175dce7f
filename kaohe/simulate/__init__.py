"""Running a whole cycle on a simulated clock through the real flows and channels."""
