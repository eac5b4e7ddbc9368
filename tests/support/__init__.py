"""What several test directories share: harnesses (schools, reports, scheduler services, a Дневник.ру pull) and
test oracles (identity_truth). Importable as `support.*` because pytest puts tests/ on sys.path
(`pythonpath` in pyproject.toml); `./run bench` does the same for the benchmarks that score against an oracle."""
