"""edugateway: keeps a school's local database in agreement with the regional e-journal platforms."""

__version__ = "0.1.0"
