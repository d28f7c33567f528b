"""The benchmarks, the ground-truth dataset and the emoji-LIIF training, as one package.

Run each from the repository root as a module, e.g. ``python -m benchmarks.quality --tiny``:
quality, compare_weights, compare_fast (quality); speed, pipeline_speed, solve_speed,
device_speed, font_throughput (speed); dataset (the ground-truth pairs, ``benchmarks/DATASET.md``);
train_emoji_liif (the emoji-trained weights). What they share (fresh-process runs with their
peak memory, best-of-N timing, machine metadata, markdown tables, paths) is in
:mod:`benchmarks.harness`. Results go to ``benchmarks/results/``. Nothing here is installed
with the package.
"""
