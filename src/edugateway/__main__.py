"""`python -m edugateway`: the command line, for a process that must run this source tree's CLI."""

from edugateway.cli import main

main()
