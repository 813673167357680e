"""XLA's persistent compilation cache for the command-line demos (the first run compiles for about 20 s).

`enable()` must run before TensorFlow is imported. Only the demos' entry points call it (under
`if __name__ == "__main__"`), so importing a demo module, as the tests and benchmarks do, leaves
TensorFlow's flags and the user's cache alone.
"""

import os

DIRECTORY = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "tb-mesh-plugin", "xla")


def enable():
    """Adds `--tf_xla_persistent_cache_directory` to `TF_XLA_FLAGS` unless a cache is set already."""
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if "tf_xla_persistent_cache_directory" not in flags:
        os.environ["TF_XLA_FLAGS"] = f"{flags} --tf_xla_persistent_cache_directory={DIRECTORY}".strip()
