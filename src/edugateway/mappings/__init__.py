"""Column mappings shipped with edugateway for `import table --mapping NAME` (see store/table_mapping.py)."""
