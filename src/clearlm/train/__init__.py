"""train stage of clearlm."""
