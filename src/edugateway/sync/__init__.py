"""The sync engine: read both sides, plan the change set through the id-link map, apply it through a durable
outbox, pull the journal in windows; every run is in the run log."""
