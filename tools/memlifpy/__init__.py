# SPDX-License-Identifier: MIT
"""memlifpy: Python access to memlif-run HDF5 files (layout: io/FORMAT.md).

Modules:

- ``memlifpy.reader``: opens a file, checks its identity and layout, returns numpy arrays/dicts
  (``open_run`` for MI sweeps, ``open_file`` for any kind, including the device kinds);
- ``memlifpy.reference``: an independent numpy implementation of the plug-in measures, with a
  ``--check`` mode against ``/results``;
- ``memlifpy.conductance_grid``: the 1-D sweep and the 2-D per-synapse grid of a condition axis;
- ``memlifpy.figures``: every PNG figure a file's contents allow (imports matplotlib);
- ``memlifpy.reliability_calibration``: runs memlif over conductances and repeat counts against
  large-sample references and scores each estimator's reliability threshold on rho
  (docs/estimators.md);
- ``memlifpy.calibrate``: the search of the default neuron's numbers against issue 11's criteria
  (docs/calibration.md) and the paper-vs-memlif numbers of a paper-card run (docs/reproduction.md).

Each has a command line: ``python3 -m memlifpy.<module> --help``. Runs on /usr/bin/python3 with
Debian 12's python3-h5py and python3-numpy (and python3-matplotlib for the figures).
"""

__all__ = [
    "FILETYPE",
    "FORMAT_MAJOR",
    "Analysis",
    "ConditionCounts",
    "FormatError",
    "KindFile",
    "RunFile",
    "open_file",
    "open_run",
]


def __getattr__(name):
    # The reader's names are loaded on first use (PEP 562) rather than imported here, so that
    # ``python3 -m memlifpy.reader`` does not find its own module already imported.
    if name in __all__:
        from . import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'memlifpy' has no attribute {name!r}")
