"""Batch runs: whole fonts and folders, a SQLite manifest, resume, local and Dask workers.

:func:`run_batch` (in :mod:`emoji_alpha.batch.run`) is the library entry point; the manifest
schema lives in :mod:`emoji_alpha.batch.manifest`, where tasks run in
:mod:`emoji_alpha.batch.executors`. Import the submodules directly: this package imports
nothing heavy.
"""
