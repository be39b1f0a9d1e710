"""tokenize stage of clearlm."""
