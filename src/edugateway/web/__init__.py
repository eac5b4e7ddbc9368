"""The records clerk's pages: sign-in, the queue of identity cases, and the case page with its actions."""
