"""What commands change: typed edits rendered byte-preserving, gated, atomic."""
