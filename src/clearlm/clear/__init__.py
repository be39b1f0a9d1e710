"""Rights clearance: decide, deny by default, whether each document may be trained on."""
