"""What every benchmark needs and none should write again.

* :mod:`~benchmarks.harness.paths`: the committed folders (results, glyph list, tiny subset)
  and the user cache (built dataset, LIIF stacks, checkpoints);
* :mod:`~benchmarks.harness.process`: a function or a command in a fresh process, with that
  process's own peak RSS;
* :mod:`~benchmarks.harness.timing`: best-of-N in one process, and cases taking turns across
  fresh processes;
* :mod:`~benchmarks.harness.machine`: the processor a speed result names;
* :mod:`~benchmarks.harness.tables`: markdown tables, metric columns among them;
* :mod:`~benchmarks.harness.sampling`: a subset spread evenly over an ordered list.
"""

from benchmarks.harness.machine import cpu_model
from benchmarks.harness.paths import BENCH, GLYPH_LIST, RESULTS, ROOT, TINY, cache_dir, data_dir
from benchmarks.harness.process import CommandRun, Fresh, in_fresh_process, peak_rss_mb, run_command
from benchmarks.harness.sampling import spread
from benchmarks.harness.tables import Metric, metric_table, table
from benchmarks.harness.timing import Timing, alternate, best_of

__all__ = ["BENCH", "GLYPH_LIST", "RESULTS", "ROOT", "TINY", "CommandRun", "Fresh", "Metric", "Timing", "alternate",
           "best_of", "cache_dir", "cpu_model", "data_dir", "in_fresh_process", "metric_table", "peak_rss_mb",
           "run_command", "spread", "table"]
