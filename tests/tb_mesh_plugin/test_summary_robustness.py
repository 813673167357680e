"""Bad calls found in review (issue 18): shapes known only when a tf.function runs, long tags, bad text and steps.

Each is rejected with an error that names the argument, and nothing is written.
"""

import numpy as np
import pytest
import tensorflow as tf

from tb_mesh_plugin import _checks, summary
from tests.tb_mesh_plugin.logdir_reading import make_client, read_logdir

FACES = np.array([[0, 1, 2]], np.int32)
TRIANGLE = np.eye(3, dtype=np.float32)


@pytest.fixture
def logdir(tmp_path):
    return tmp_path / "logs"


def _unknown(rank, dtype=tf.float32):
    return tf.TensorSpec([None] * rank, dtype)


# Each case: the op, its fixed arguments, the signature of its one dynamic argument (also the argument the
# error must name), and the value it is called with.
DYNAMIC_SHAPES = {
    "vertices [N, 2]": (summary.mesh, {}, "vertices", _unknown(2), tf.zeros([6, 2])),
    "vertices [0, 3]": (summary.mesh, {}, "vertices", _unknown(2), tf.zeros([0, 3])),
    "vertices [0, N, 3]": (summary.mesh, {}, "vertices", _unknown(3), tf.zeros([0, 4, 3])),
    "points [N, 4]": (summary.point_cloud, {}, "points", _unknown(2), tf.zeros([6, 4])),
    "faces [F, 4]": (summary.mesh, {"vertices": TRIANGLE}, "faces", _unknown(2, tf.int32), tf.zeros([2, 4], tf.int32)),
    "faces [0, 3]": (summary.mesh, {"vertices": TRIANGLE}, "faces", _unknown(2, tf.int32), tf.zeros([0, 3], tf.int32)),
    "segments [E, 3]": (
        summary.lines,
        {"vertices": TRIANGLE},
        "segments",
        _unknown(2, tf.int32),
        tf.zeros([2, 3], tf.int32),
    ),
}


@pytest.mark.parametrize("case", DYNAMIC_SHAPES, ids=list(DYNAMIC_SHAPES))
def test_bad_shapes_known_only_when_the_function_runs_raise_and_write_nothing(logdir, case):
    op, fixed, arg, spec, value = DYNAMIC_SHAPES[case]

    @tf.function(input_signature=[spec])
    def log(dynamic):
        return op("m", **{**fixed, arg: dynamic}, step=0)

    with tf.summary.create_file_writer(str(logdir)).as_default():
        with pytest.raises(tf.errors.InvalidArgumentError, match=arg):
            log(value)
    assert read_logdir(logdir) == {}


def test_good_dynamic_shapes_still_write(logdir):
    @tf.function(input_signature=[_unknown(2), _unknown(2, tf.int32)])
    def log(vertices, faces):
        return summary.mesh("m", vertices, faces, step=0)

    with tf.summary.create_file_writer(str(logdir)).as_default():
        assert log(TRIANGLE, FACES)
    assert list(read_logdir(logdir)) == [(".", "m")]


def test_a_tag_longer_than_the_limit_is_rejected_with_its_name_scopes(logdir):
    with tf.summary.create_file_writer(str(logdir)).as_default():
        with pytest.raises(ValueError, match=f"name must be at most {_checks.MAX_TAG_LENGTH} characters"):
            summary.point_cloud("p" * (_checks.MAX_TAG_LENGTH + 1), TRIANGLE, step=0)
        with tf.name_scope("s" * (_checks.MAX_TAG_LENGTH - 5)):
            with pytest.raises(ValueError, match="with its name scopes"):
                summary.point_cloud("points", TRIANGLE, step=0)
    assert read_logdir(logdir) == {}


def test_a_tag_at_the_limit_is_written_and_served(logdir):
    tag = "é" * _checks.MAX_TAG_LENGTH  # two UTF-8 bytes, six characters once percent-encoded
    with tf.summary.create_file_writer(str(logdir)).as_default():
        assert summary.point_cloud(tag, TRIANGLE, step=0)
    response = make_client(logdir).get("/data/plugin/mesh3d/mesh", query_string={"run": ".", "tag": tag, "step": 0})
    assert response.status_code == 200


BAD_TEXT_AND_STEPS = {
    "lone surrogate in name": (dict(name="a\ud800"), "name must be valid Unicode text"),
    "lone surrogate in description": (dict(description="b\udc00"), "description must be valid Unicode text"),
    "lone surrogate in an attribute name": (
        dict(attributes={"\udc80x": np.ones(3)}),
        "names in attributes must be valid",
    ),
    "step a string": (dict(step="abc"), "step must be an integer, got 'abc'"),
    "step a float": (dict(step=1.5), r"step must be an integer, got 1.5"),
    "step a float that is whole": (dict(step=np.float32(2.0)), "step must be an integer"),
    "step a bool": (dict(step=True), "step must be an integer, got True"),
    "step a float tensor": (dict(step=tf.constant(2.0)), "step must be an integer or an int64 tensor, got .* float32"),
    "step an int32 tensor": (dict(step=tf.constant(2)), "step must be an integer or an int64 tensor, got .* int32"),
}


@pytest.mark.parametrize("case", BAD_TEXT_AND_STEPS, ids=list(BAD_TEXT_AND_STEPS))
def test_bad_text_and_steps_raise_value_error_naming_the_argument(logdir, case):
    overrides, message = BAD_TEXT_AND_STEPS[case]
    with tf.summary.create_file_writer(str(logdir)).as_default():
        with pytest.raises(ValueError, match=message):
            summary.point_cloud(**{"name": "p", "points": TRIANGLE, "step": 0, **overrides})
    assert read_logdir(logdir) == {}


@pytest.mark.parametrize("step", [3, np.int64(3), tf.constant(3, tf.int64), tf.Variable(3, dtype=tf.int64)], ids=repr)
def test_integer_steps_of_every_kind_are_accepted(logdir, step):
    with tf.summary.create_file_writer(str(logdir)).as_default():
        assert summary.point_cloud("p", TRIANGLE, step=step)
    [(_, (_, [(written, _)]))] = read_logdir(logdir).items()
    assert written == 3
