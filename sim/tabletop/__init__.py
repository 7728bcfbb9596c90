"""tabletop layer."""
