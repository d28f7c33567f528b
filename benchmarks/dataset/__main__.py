"""``python -m benchmarks.dataset``: see :mod:`benchmarks.dataset.cli`."""

from benchmarks.dataset.cli import main

raise SystemExit(main())
