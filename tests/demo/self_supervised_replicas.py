"""Run in its own process (logical devices must be made before TensorFlow initialises):

    python -m tests.demo.self_supervised_replicas OUTPUT_DIRECTORY

Splits the CPU into 2 logical devices, then (1) computes the self-supervised loss and gradients of
one global batch under a MirroredStrategy over 1 device and over 2, and (2) writes summaries from
inside `strategy.run` over 2 replicas into OUTPUT_DIRECTORY/summaries. Prints a JSON line with the
losses and the largest gradient difference relative to the gradient's scale.
"""

import json
import sys

from demo.self_supervised import cluster

cluster.split_cpu(2)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from demo.self_supervised import data, objectives, training  # noqa: E402
from demo.self_supervised.model import PoseEncoder  # noqa: E402
from tb_mesh_plugin import summary  # noqa: E402

SIZE, BATCH, STEPS = 32, 8, 3


def loss_and_gradients(strategy, images, shape):
    tf.keras.utils.set_random_seed(0)
    with strategy.scope():
        model = PoseEncoder(2, 90.0)
        model(tf.zeros([1, SIZE, SIZE, 3]))
    objective = objectives.SelfSupervised(shape, SIZE)
    trainer = training.Trainer(strategy, model, objective, None, BATCH, lambda batch: (data.as_float(batch),))
    iterator = iter(training.distributed_batches(strategy, (images,), BATCH, seed=0))
    loss, gradients = trainer.gradients(iterator)
    return float(loss), [gradient.numpy() for gradient in gradients]


def write_summaries(strategy, directory, shape):
    writer = tf.summary.create_file_writer(directory)

    @tf.function
    def step(number):
        def replica():
            replica_id = tf.distribute.get_replica_context().replica_id_in_sync_group
            summary.mesh("replicated/mesh", tf.constant(shape.vertices), shape.faces, step=number)
            tf.summary.scalar("replicated/replica", tf.cast(replica_id, tf.float32), step=number)

        strategy.run(replica)

    with writer.as_default():
        for number in range(STEPS):
            step(tf.constant(number, tf.int64))
    writer.close()


def main(directory):
    shape = data.load_shape("fish")
    images, _ = data.make(shape, seed=0, train_count=BATCH, held_out_count=4, max_angle=90.0, size=SIZE)
    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    one_loss, one = loss_and_gradients(tf.distribute.MirroredStrategy(devices[:1]), images.train, shape)
    two_strategy = tf.distribute.MirroredStrategy(devices[:2])
    two_loss, two = loss_and_gradients(two_strategy, images.train, shape)
    scale = max(float(np.abs(gradient).max()) for gradient in one)
    difference = max(float(np.abs(a - b).max()) for a, b in zip(one, two))
    write_summaries(two_strategy, f"{directory}/summaries", shape)
    print(
        json.dumps(
            {
                "devices": len(devices),
                "replicas": two_strategy.num_replicas_in_sync,
                "one_device_loss": one_loss,
                "two_device_loss": two_loss,
                "gradient_scale": scale,
                "largest_gradient_difference": difference,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
