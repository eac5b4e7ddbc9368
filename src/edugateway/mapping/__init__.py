"""Platform records <-> the canonical model, the identity map, and person matching."""
