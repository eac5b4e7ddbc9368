"""The sync engine: read both sides, plan the change set through the identity map, apply it through a durable
outbox, pull the journal in windows; every run is journalled."""
