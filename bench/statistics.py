"""A whole region's year of statistics aggregated on PostgreSQL, for each grouping and the
summary, with time and query count: the code and its description are in
bench/statistics_region.py.

    createdb lasrum_bench_statistics
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lasrum_bench_statistics \\
        .venv/bin/python bench/statistics.py

Why two files: a script's own directory comes first on its import path, so a file named
statistics.py in bench/ is what `import statistics` finds there — in the other bench scripts
(they use statistics.median) and in Django's SQLite backend. Imported that way, this file hands
over the standard library's module; run as a script, it takes bench/ off the path and runs
the measurement.
"""

import importlib.util
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
    _load("bench_statistics_region", HERE / "statistics_region.py").main()
else:
    _load("statistics", Path(sysconfig.get_paths()["stdlib"]) / "statistics.py")
