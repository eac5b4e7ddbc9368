"""Platform records <-> the canonical model (pure functions), and name normalisation."""
