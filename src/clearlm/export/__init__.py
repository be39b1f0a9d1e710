"""export stage of clearlm."""
