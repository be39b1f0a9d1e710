"""Release: the gate that refuses a model trained on anything uncleared, and the release folder."""
