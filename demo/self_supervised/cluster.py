"""Where training runs: one device, logical CPU devices (MirroredStrategy), or a cluster of worker
processes from TF_CONFIG (MultiWorkerMirroredStrategy).

`split_cpu(n)` must run before anything makes TensorFlow initialise its devices. Joining a cluster
waits for every peer's port to answer for at most `connect_timeout` seconds, then ends the process
with a message naming the missing peers (TensorFlow itself waits for them forever); collectives
time out after `collective_timeout` seconds (generous: the first step traces and compiles
the renderer, which takes minutes on a loaded machine, while the other workers wait).
"""

import json
import os
import subprocess
import sys

import tensorflow as tf


def split_cpu(count):
    """Splits the CPU into `count` logical devices (before TensorFlow initialises)."""
    if count < 1:
        raise ValueError(f"cpu_devices must be >= 1, got {count}")
    if count == 1:
        return
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)


def loopback_tf_config(workers, index, base_port):
    """A TF_CONFIG (JSON text) for worker `index` of `workers` on 127.0.0.1, ports from `base_port`."""
    if not 0 <= index < workers:
        raise ValueError(f"worker_index must be in [0, {workers}), got {index}")
    cluster = {"worker": [f"127.0.0.1:{base_port + offset}" for offset in range(workers)]}
    return json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})


def parse_tf_config(text):
    """(worker addresses, own index) from TF_CONFIG text; ValueError naming TF_CONFIG if malformed."""
    try:
        config = json.loads(text)
        workers = list(config["cluster"]["worker"])
        task = config["task"]
        index = int(task["index"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"TF_CONFIG must be JSON with cluster.worker and task.index: {error}") from None
    if task.get("type", "worker") != "worker" or not 0 <= index < len(workers):
        raise ValueError(f"TF_CONFIG's task must be a worker with an index below {len(workers)}, got {task}")
    for address in workers:
        host, _, port = str(address).rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"TF_CONFIG names a worker address without host:port: {address!r}")
    return workers, index


def strategy(cpu_devices=1, connect_timeout=60.0, collective_timeout=600.0):
    """The distribution strategy: MultiWorkerMirroredStrategy if TF_CONFIG is set, else a
    MirroredStrategy over the `cpu_devices` logical CPU devices (made by `split_cpu`).

    TensorFlow waits for a cluster's workers inside C++ without releasing Python's lock, so the
    peers are watched from another process (`demo.self_supervised.peer_watch`), which prints which
    worker did not answer and kills this one after `connect_timeout` seconds.
    """
    if os.environ.get("TF_CONFIG"):
        workers, index = parse_tf_config(os.environ["TF_CONFIG"])
        peers = [address for position, address in enumerate(workers) if position != index]
        watcher = subprocess.Popen(
            [sys.executable, "-m", "demo.self_supervised.peer_watch", str(os.getpid()), str(connect_timeout), *peers],
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        )
        try:
            options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=collective_timeout)
            return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        finally:
            watcher.terminate()
            watcher.wait()
    devices = [device.name for device in tf.config.list_logical_devices("CPU")][:cpu_devices]
    return tf.distribute.MirroredStrategy(devices)


def is_chief(strategy_):
    """Whether this process writes summaries and checkpoints (worker 0, or the only process)."""
    resolver = getattr(strategy_, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    return resolver.task_type in (None, "chief") or (resolver.task_type == "worker" and resolver.task_id == 0)
