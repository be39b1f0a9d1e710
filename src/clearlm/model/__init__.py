"""model stage of clearlm."""
