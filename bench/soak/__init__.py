"""The soak bench's parts (bench/bench_soak.py runs them): the school and its platforms, the weather of each night,
the local changes, the CLI runs with their kills, and the final audit."""
