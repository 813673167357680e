"""The demo logdir that `make demo` serves: two objects over 65,535 vertices, every step readable."""

import numpy as np

from demo import sample_logdir
from tests.tb_mesh_plugin.logdir_reading import read_logdir


def test_demo_writes_a_coloured_mesh_and_point_cloud_over_the_16_bit_index_limit(tmp_path):
    sample_logdir.write(str(tmp_path), steps=3)
    sample_logdir.write(str(tmp_path), steps=3)  # a second run replaces the first instead of appending

    data = read_logdir(tmp_path)
    assert set(data) == {("demo", "shapes/twisted_torus"), ("demo", "shapes/spiral_galaxy")}
    for (_, tag), (_, steps) in data.items():
        assert [step for step, _ in steps] == [0, 1, 2]
        [[sample]] = [samples for _, samples in steps[:1]]
        assert sample.arrays["vertices"].shape[0] > 65_535
        assert sample.arrays["colors"].shape == (sample.arrays["vertices"].shape[0], 3)
    [[torus_0], [torus_1], _] = [samples for _, samples in data[("demo", "shapes/twisted_torus")][1]]
    assert torus_0.kind == "mesh" and "faces" in torus_0.arrays
    assert not np.array_equal(torus_0.arrays["vertices"].data, torus_1.arrays["vertices"].data), "it animates"
