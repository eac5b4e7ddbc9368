"""Identity: ЕСИА verification of every person's SNILS, the clerk's cases, and record linkage candidates."""
