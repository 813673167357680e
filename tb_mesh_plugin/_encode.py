"""Encoding of stored arrays (`_samples.stored_arrays`) into the stored samples of docs/wire-format.md, in TensorFlow.

Each sample of the batch becomes one serialized string tensor: the manifest (`_samples.manifest`),
then one serialized `TensorProto` per array, preceded by a checksum field (`storage.checksummed`).
It runs eagerly and inside `tf.function`; `_samples.encode_samples` writes the same bytes from NumPy.
"""

import tensorflow as tf

from tb_mesh_plugin import _samples, storage


def encode_samples(kind, stored, attributes, version):
    """Encodes each sample as a serialized string tensor; returns a `[B]` string tensor.

    Args:
      kind: the summary's kind.
      stored: `[_samples.Stored]` of tensors, in the order they are stored.
      attributes: the attribute descriptions of the manifest.
      version: the format version of the manifest.
    """
    manifest = _samples.manifest(kind, stored, attributes, version)
    shared = {s.name: tf.io.serialize_tensor(s.values) for s in stored if not s.per_sample}
    split = [s for s in stored if s.per_sample]

    def encode_one(per_sample):
        serialized = dict(shared)
        for s, value in zip(split, per_sample):
            serialized[s.name] = tf.io.serialize_tensor(value)
        parts = [tf.constant(manifest)] + [serialized[s.name] for s in stored]
        return storage.checksummed(tf.io.serialize_tensor(tf.stack(parts)))

    return tf.map_fn(encode_one, tuple(s.values for s in split), fn_output_signature=tf.TensorSpec([], tf.string))
