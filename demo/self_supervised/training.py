"""The training loop's pieces under a `tf.distribute` strategy: the input pipeline and the step.

The input is a sequence of global batches (a seeded shuffle of indices) that every worker builds
alike; each input pipeline takes its slice of every global batch, so one process with R replicas
and W workers with R/W replicas each see the same global batch at every step. The step averages
per-image losses over the global batch (`tf.nn.compute_average_loss`), so the gradients are those
of the global batch however it is split.
"""

import tensorflow as tf


def distributed_batches(strategy, arrays, global_batch, seed, skip=0):
    """A distributed dataset of `arrays` (a tuple of arrays sharing their first axis), reshuffled
    every epoch, `global_batch` rows a step, starting after `skip` steps."""
    replicas = strategy.num_replicas_in_sync
    if global_batch % replicas:
        raise ValueError(f"batch must be divisible by the {replicas} replicas, got {global_batch}")
    tensors = tuple(tf.constant(array) for array in arrays)
    count = len(arrays[0])

    def dataset_fn(context):
        per_replica = context.get_per_replica_batch_size(global_batch)
        share = per_replica * (context.num_replicas_in_sync // context.num_input_pipelines)
        first = context.input_pipeline_id * share
        indices = (
            tf.data.Dataset.range(count)
            .shuffle(count, seed=seed, reshuffle_each_iteration=True)
            .repeat()
            .batch(global_batch, drop_remainder=True)
            .skip(skip)
            .map(lambda batch: batch[first : first + share])
            .unbatch()
            .batch(per_replica, drop_remainder=True)
        )
        return indices.map(lambda index: tuple(tf.gather(tensor, index) for tensor in tensors)).prefetch(2)

    return strategy.distribute_datasets_from_function(dataset_fn)


class Trainer:
    """One optimisation step of `model` on `objective` under `strategy`.

    `objective(model, *batch)` returns per-image losses `[b]` and named parts `{name: [b]}`.
    """

    def __init__(self, strategy, model, objective, optimizer, global_batch, prepare):
        self.strategy, self.model, self.objective = strategy, model, objective
        self.optimizer, self.global_batch, self.prepare = optimizer, global_batch, prepare
        self.step = tf.function(self._step)
        self.gradients = tf.function(self._gradients)

    def _loss_and_gradients(self, *batch):
        batch = self.prepare(*batch)
        with tf.GradientTape() as tape:
            losses, parts = self.objective(self.model, *batch)
            loss = tf.nn.compute_average_loss(losses, global_batch_size=self.global_batch)
        gradients = tape.gradient(loss, self.model.trainable_variables)
        means = {
            name: tf.nn.compute_average_loss(part, global_batch_size=self.global_batch) for name, part in parts.items()
        }
        return loss, gradients, means

    def _replica_step(self, *batch):
        loss, gradients, parts = self._loss_and_gradients(*batch)
        self.optimizer.apply_gradients(zip(gradients, self.model.trainable_variables))
        return loss, parts

    def _step(self, iterator):
        """One step on the next global batch; returns the global mean loss and its parts."""
        loss, parts = self.strategy.run(self._replica_step, args=next(iterator))
        total = lambda value: self.strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)  # noqa: E731
        return total(loss), {name: total(part) for name, part in parts.items()}

    def _gradients(self, iterator):
        """The global batch's loss and gradients (summed over replicas), without a step."""
        loss, gradients, _ = self.strategy.run(self._loss_and_gradients, args=next(iterator))
        total = lambda value: self.strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)  # noqa: E731
        return total(loss), [total(gradient) for gradient in gradients]
