"""Case views, one module per area of work: intake (reporting), lists, and the case itself."""
