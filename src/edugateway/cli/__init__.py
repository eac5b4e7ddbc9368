"""`edugateway` command line (typer). Each command group lives in its own module."""

from edugateway.cli._app import app, main

__all__ = ["app", "main"]
