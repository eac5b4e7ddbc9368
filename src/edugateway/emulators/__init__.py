"""Faithful fakes of the platforms (HTTP/SOAP servers on loopback) and the synthetic-school generator."""
