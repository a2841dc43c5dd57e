"""quartiers."""
