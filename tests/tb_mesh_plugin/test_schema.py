"""The stored-array schema agrees with the browser's decoder (frontend/src/wire.js) and with what summaries store."""

import json
import pathlib
import re

import numpy as np
import pytest
import tensorflow as tf

from tb_mesh_plugin import schema, storage, summary
from tests.tb_mesh_plugin.logdir_reading import read_logdir

FRONTEND_WIRE = pathlib.Path(__file__).resolve().parents[2] / "frontend" / "src" / "wire.js"
# Element sizes of JavaScript's typed arrays.
_TYPED_ARRAY_SIZES = {"Float32Array": 4, "Uint32Array": 4, "Int32Array": 4, "Uint16Array": 2, "Uint8Array": 1}


def _js_constant(name):
    """The source text between the brackets of `const NAME = {...}` or `[...]` in wire.js."""
    match = re.search(rf"const {name} = [{{\[](.*?)[}}\]];", FRONTEND_WIRE.read_text(), re.S)
    assert match, f"wire.js has no constant {name}"
    return match.group(1)


def test_the_browser_views_every_wire_dtype_with_elements_of_its_size():
    table = dict(re.findall(r"(\w+):\s*(\w+Array)", _js_constant("ARRAY_TYPES")))
    assert set(table) == set(schema.WIRE_DTYPES)
    for dtype, typed_array in table.items():
        assert _TYPED_ARRAY_SIZES[typed_array] == schema.WIRE_DTYPES[dtype].item_size, dtype


def test_the_browser_accepts_every_wire_dtype_of_positions():
    accepted = re.findall(r"'(\w+)'", _js_constant("POSITION_DTYPES"))
    assert sorted(accepted) == sorted(schema.ARRAYS["vertices"].wire_dtypes)


def test_every_stored_dtype_is_sent_as_a_wire_dtype_of_its_size():
    for dtype in schema.DTYPES.values():
        assert np.dtype(schema.WIRE_DTYPES[dtype.wire].numpy).itemsize == dtype.item_size
        assert tf.dtypes.as_dtype(dtype.name).as_datatype_enum == dtype.proto


def test_summaries_store_only_arrays_of_the_schema_in_its_dtypes_and_shapes(tmp_path):
    rng = np.random.default_rng(0)
    vertices = rng.normal(size=(2, 5, 3)).astype(np.float32)
    faces = np.array([[0, 1, 2], [2, 3, 4]])
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        summary.mesh(
            "m",
            vertices,
            faces,
            rng.uniform(size=(2, 5, 4)),
            face_colors=np.zeros([2, 3], np.uint8),
            attributes={"a": vertices},
            face_attributes={"f": np.ones(2)},
            step=0,
        )
        summary.lines("l", vertices[0], faces[:, :2], quantize="uint16", step=0)
        summary.point_cloud("p", vertices, quantize="float16", step=0)
    for (_, tag), (_, steps) in read_logdir(tmp_path).items():
        for sample in steps[0][1]:
            for name, array in sample.arrays.items():
                _assert_in_schema(tag, name, array, sample)


def _assert_in_schema(tag, name, array, sample):
    if name in schema.ARRAYS:
        entry = schema.ARRAYS[name]
        dtypes, components = entry.dtypes, entry.components
    else:
        prefix, _, attribute = name.partition("/")
        described = next(a for a in sample.attributes if a["name"] == attribute)
        assert prefix + "/" in (schema.ATTRIBUTE_VALUES_PREFIX, schema.ATTRIBUTE_RANGES_PREFIX), (tag, name)
        dtypes = (schema.ATTRIBUTE_DTYPE,)
        components = (described["components"],) if prefix + "/" == schema.ATTRIBUTE_VALUES_PREFIX else (2,)
    assert isinstance(array, storage.StoredArray)
    assert array.dtype in dtypes and array.shape[-1] in components, (tag, name, array.dtype, array.shape)


def _sample(**arrays):
    """One stored sample of a mesh holding `arrays` (name -> NumPy array), written as the summary ops write them."""
    manifest = json.dumps({"version": 2, "kind": "mesh", "arrays": list(arrays), "attributes": []})
    parts = [tf.constant(manifest)] + [tf.io.serialize_tensor(value) for value in arrays.values()]
    return tf.io.serialize_tensor(tf.stack(parts)).numpy()


@pytest.mark.parametrize(
    "arrays, message",
    [
        (dict(faces=np.zeros([2, 4], np.int32)), r"array 'faces' is int32 \[2, 4\], not int32 \[F, 3\]"),
        (dict(faces=np.zeros([2, 3], np.int64)), "array 'faces' has unsupported dtype"),
        (dict(faces=np.zeros([6], np.int32)), r"array 'faces' is int32 \[6\]"),
        (dict(colors=np.zeros([3, 2], np.uint8)), r"array 'colors' is uint8 \[3, 2\], not uint8 \[N, C\]"),
        (dict(colors=np.zeros([3, 3], np.float32)), r"array 'colors' is float32"),
        (dict(position_bounds=np.zeros([2, 2], np.float32)), r"array 'position_bounds' is float32 \[2, 2\]"),
    ],
)
def test_stored_arrays_that_break_the_schema_are_rejected(arrays, message):
    blob = _sample(vertices=np.zeros([3, 3], np.float32), **arrays)
    with pytest.raises(storage.CorruptSampleError, match=message):
        storage.decode_sample(blob)


def test_arrays_the_schema_does_not_know_are_passed_on():
    sample = storage.decode_sample(_sample(vertices=np.zeros([3, 3], np.float32), normals=np.zeros([3, 3], np.float32)))
    assert list(sample.arrays) == ["vertices", "normals"]
