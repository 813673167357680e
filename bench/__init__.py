"""Benchmarks: `make bench` runs each module; they print tables and write JSON under bench/results/.

Environment set before any benchmark imports TensorFlow: quiet logs, and the BFC allocator on the
CPU, which keeps the memory statistics `bench.measure.peak_memory_mib` reads.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_CPU_ALLOCATOR_USE_BFC", "true")
