"""The pure core of running a cycle: what must happen between one instant and the next."""
