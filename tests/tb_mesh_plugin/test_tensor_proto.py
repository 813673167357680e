"""The zero-copy TensorProto reader agrees with protobuf, and rejects damaged bytes with ProtoError."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard.compat.proto import tensor_pb2

from tb_mesh_plugin import tensor_proto


@settings(max_examples=50, deadline=None)
@given(
    st.sampled_from([np.float32, np.float16, np.uint16, np.int32, np.uint8]),
    st.lists(st.integers(0, 6), min_size=0, max_size=3),
)
def test_arrays_read_back_as_protobuf_reads_them(dtype, shape):
    values = np.arange(int(np.prod(shape)), dtype=np.float64).astype(dtype).reshape(shape)
    raw = tf.io.serialize_tensor(values).numpy()
    parsed, expected = tensor_proto.parse_tensor(raw), tensor_pb2.TensorProto.FromString(raw)
    assert parsed.dtype == expected.dtype
    assert parsed.shape == tuple(d.size for d in expected.tensor_shape.dim) == tuple(shape)
    assert bytes(parsed.content) == expected.tensor_content
    assert isinstance(parsed.content, memoryview) and parsed.content.obj is not None


def test_string_tensors_give_views_of_each_string():
    raw = tf.io.serialize_tensor(tf.constant([b"manifest", b"", b"\x00" * 300])).numpy()
    parsed = tensor_proto.parse_tensor(raw)
    assert [bytes(s) for s in parsed.strings] == [b"manifest", b"", b"\x00" * 300]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_bytes_raise_proto_error_or_parse(data):
    raw = bytearray(tf.io.serialize_tensor(tf.constant([b"abc", b"defgh"])).numpy())
    cut = data.draw(st.integers(0, len(raw)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, max(cut - 1, 0)), st.integers(0, 255)), max_size=3))
    damaged = raw[:cut]
    for index, value in flips:
        if index < len(damaged):
            damaged[index] = value
    try:
        tensor_proto.parse_tensor(bytes(damaged))
    except tensor_proto.ProtoError:
        pass


def test_a_length_past_the_end_is_an_error():
    with pytest.raises(tensor_proto.ProtoError, match="runs past the end"):
        tensor_proto.parse_tensor(b"\x22\x10abc")  # field 4, 16 bytes announced, 3 given
