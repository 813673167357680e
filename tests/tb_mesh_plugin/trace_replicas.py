"""Run in its own process (logical devices must be made before TensorFlow initialises):

    python -m tests.tb_mesh_plugin.trace_replicas LOGDIR

Splits the CPU into 2 logical devices and runs steps 0 to 3 of `test_trace`'s pipeline in `strategy.run` of
a `MirroredStrategy` over both, inside a `tf.function`, each replica in `trace.record(every=2)`.
"""

import sys

from demo.self_supervised import cluster

cluster.split_cpu(2)

import tensorflow as tf  # noqa: E402

from tests.tb_mesh_plugin import test_trace  # noqa: E402


def main(logdir):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2

    @tf.function
    def step(number):
        strategy.run(lambda: test_trace.traced_step(number, tf.constant(0.3), every=2))

    test_trace.write(logdir, lambda: [step(tf.constant(number, tf.int64)) for number in range(4)])


if __name__ == "__main__":
    main(sys.argv[1])
