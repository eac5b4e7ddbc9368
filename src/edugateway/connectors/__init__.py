"""Connectors: each speaks one platform's real protocol and hands back canonical records."""
