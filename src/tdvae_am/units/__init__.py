"""Units phase: per-unit activity, texture-family decoding, texture sensitivity, the selection of
the studied units, and their summary metrics."""
