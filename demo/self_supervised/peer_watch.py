"""Watches a cluster's peers for a worker that is joining it (see `cluster.strategy`):

    python -m demo.self_supervised.peer_watch PID TIMEOUT HOST:PORT...

If a peer's port accepts no connection within TIMEOUT seconds, prints which to stderr and kills PID
(blocked in TensorFlow's cluster set-up, it cannot stop itself, and it ignores SIGTERM there).
Exits quietly once every peer answered; the worker terminates this watcher once the cluster formed.
"""

import os
import signal
import sys
import time

from demo.self_supervised.cluster_probe import unreachable


def main(pid, timeout, peers):
    missing = unreachable(peers, time.monotonic() + timeout)
    if missing:
        print(
            f"error: worker(s) {', '.join(missing)} named in TF_CONFIG did not answer within {timeout:g} s "
            "(is every worker started, and are the addresses right?)",
            file=sys.stderr,
            flush=True,
        )
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:])
