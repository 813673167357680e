"""A camera value: pose, intrinsics, optional lens distortion and image size. Not in TensorFlow Graphics.

Conventions:

- Pose: world points p map to camera coordinates R p + t, with `rotation` R and `translation` t
  (world to camera, as OpenCV's rvec/tvec). Camera coordinates are those of `perspective`: x right,
  y down, z forward, so points in front of the camera have depth z > 0. The camera centre in the
  world is -Rᵀ t. An OpenGL / three.js view matrix (looking down -z with y up) is
  diag(1, -1, -1, 1) [[R, t], [0, 1]].
- Intrinsics: `focal` (fx, fy) and `principal_point` (cx, cy) in pixels, no skew; optional
  `distortion` `[k1, k2, p1, p2, k3]` as in `brown_conrady` (OpenCV's model).
- Pixels: pixel (i, j) is centred on the point (i, j), as in OpenCV and in `perspective.random_rays`,
  so a `width` x `height` image covers [-0.5, width - 0.5] x [-0.5, height - 0.5].
- Batches: the tensor fields are broadcast to one batch shape `[A1, ..., An]` when the camera is
  made, and methods broadcast their arguments against it. To apply cameras of batch shape `[B]` to
  points of shape `[B, N, 3]`, index the camera like a tensor: `camera[:, None].project(points)`.
- `width` and `height` are Python ints, the same for the whole batch; whether there is distortion is
  fixed too. A `Camera` is a `tf.nest` structure of its tensors (with those as static metadata), so
  it can be passed to and returned from `tf.function`.

For logging (what the viewer needs to draw the camera), `frustum_corners` and `FRUSTUM_EDGES` give
the frustum as line segments in world coordinates (`tb_mesh_plugin.summary.camera` logs them).
"""

import numpy as np
import tensorflow as tf

from graphics_ops.camera import brown_conrady, perspective
from graphics_ops.transformation import look_at as look_at_lib
from graphics_ops.util import arguments, shape, trace_hook, vector

# The 12 edges of the frustum drawn by `frustum_corners`, as pairs of corner indices: the near
# rectangle, the far rectangle, and the four edges joining them.
FRUSTUM_EDGES = np.array(
    [[0, 1], [1, 2], [2, 3], [3, 0], [4, 5], [5, 6], [6, 7], [7, 4], [0, 4], [1, 5], [2, 6], [3, 7]], np.int32
)

_FIELDS = ("rotation", "translation", "focal", "principal_point", "distortion")
_INNER_RANK = {"rotation": 2, "translation": 1, "focal": 1, "principal_point": 1, "distortion": 1}


class Camera:
    """Pose, intrinsics, optional lens distortion and image size of a batch of cameras.

    Attributes:
      rotation: A tensor of shape `[A1, ..., An, 3, 3]`: world-to-camera rotation matrices R.
      translation: A tensor of shape `[A1, ..., An, 3]`: world-to-camera translations t.
      focal: A tensor of shape `[A1, ..., An, 2]`: focal lengths (fx, fy) in pixels.
      principal_point: A tensor of shape `[A1, ..., An, 2]`: principal points (cx, cy) in pixels.
      width: The image width in pixels, a Python int.
      height: The image height in pixels, a Python int.
      distortion: None, or a tensor of shape `[A1, ..., An, 5]`: `[k1, k2, p1, p2, k3]`.
    """

    __slots__ = ("rotation", "translation", "focal", "principal_point", "width", "height", "distortion")

    def __init__(self, rotation, translation, focal, principal_point, width, height, distortion=None):
        """Checks, converts (to the dtype of the first floating argument) and broadcasts the fields.

        Args:
          rotation: Anything convertible to a tensor of shape `[A1, ..., An, 3, 3]`.
          translation: Likewise, of shape `[A1, ..., An, 3]`.
          focal: Likewise, of shape `[A1, ..., An, 2]`.
          principal_point: Likewise, of shape `[A1, ..., An, 2]`.
          width: The image width in pixels, a positive int.
          height: The image height in pixels, a positive int.
          distortion: None, or likewise of shape `[A1, ..., An, 5]`.

        Raises:
          ValueError: If a shape does not match, or the image size is not positive integers.
          TypeError: If the tensors have different floating dtypes.
        """
        width, height = _image_size(width, height)
        arguments = {
            "rotation": (rotation, (3, 3)),
            "translation": (translation, 3),
            "focal": (focal, 2),
            "principal_point": (principal_point, 2),
        }
        if distortion is not None:
            arguments["distortion"] = (distortion, 5)
        tensors = shape.check_inputs(**arguments)
        tensors = shape.broadcast(*[(tensor, _INNER_RANK[name]) for name, tensor in zip(arguments, tensors)])
        fields = dict(zip(arguments, tensors), width=width, height=height)
        fields.setdefault("distortion", None)
        _set_fields(self, fields)

    def __setattr__(self, name, value):
        raise AttributeError(f"Camera is immutable; use camera.replace({name}=...)")

    def __repr__(self):
        return (
            f"Camera(batch_shape={self.batch_shape}, dtype={self.dtype.name}, width={self.width}, "
            f"height={self.height}, distortion={'yes' if self.distortion is not None else 'no'})"
        )

    # tf.nest protocol: the tensors are the components; the image size and whether there is
    # distortion are static metadata.
    def __tf_flatten__(self):
        tensors = tuple(getattr(self, name) for name in _FIELDS if getattr(self, name) is not None)
        return (self.width, self.height, self.distortion is not None), tensors

    @classmethod
    def __tf_unflatten__(cls, metadata, components):
        width, height, has_distortion = metadata
        names = _FIELDS if has_distortion else _FIELDS[:-1]
        fields = dict(zip(names, components), width=width, height=height)
        fields.setdefault("distortion", None)
        camera = cls.__new__(cls)
        _set_fields(camera, fields)
        return camera

    @property
    def dtype(self):
        """The floating dtype of the tensors."""
        return self.focal.dtype

    @property
    def batch_shape(self):
        """The static batch shape `[A1, ..., An]`, a `tf.TensorShape`."""
        return self.focal.shape[:-1]

    @property
    def position(self):
        """Camera centres in world coordinates, -Rᵀ t: a tensor of shape `[A1, ..., An, 3]`."""
        return -vector.matvec(tf.linalg.matrix_transpose(self.rotation), self.translation)

    def __getitem__(self, key):
        """Indexes the batch dimensions of every field, like a tensor: `camera[0]`, `camera[:, None]`."""
        key = key if isinstance(key, tuple) else (key,)
        if any(item is Ellipsis for item in key):
            raise IndexError("Camera indexing does not support Ellipsis")
        indexed = sum(item is not None for item in key)
        if self.batch_shape.rank is not None and indexed > self.batch_shape.rank:
            raise IndexError(f"too many indices ({indexed}) for a camera of batch shape {self.batch_shape}")
        fields = {name: _index(getattr(self, name), key) for name in _FIELDS}
        return Camera.__tf_unflatten__(
            (self.width, self.height, self.distortion is not None),
            tuple(value for value in fields.values() if value is not None),
        )

    def replace(self, **changes):
        """A copy with some fields replaced (checked like the constructor's arguments)."""
        fields = {name: getattr(self, name) for name in (*_FIELDS, "width", "height")}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"unknown Camera fields: {sorted(unknown)}")
        fields.update(changes)
        return Camera(**fields)

    @classmethod
    def from_look_at(cls, camera_position, look_at, up_vector, focal, principal_point, width, height, distortion=None):
        """A camera at `camera_position` looking at `look_at`, with `up_vector` up in the image.

        Args:
          camera_position: A tensor of shape `[A1, ..., An, 3]`: camera centres.
          look_at: A tensor of shape `[A1, ..., An, 3]`: points on the optical axes.
          up_vector: A tensor of shape `[A1, ..., An, 3]`: world directions shown upward.
          focal: A tensor of shape `[A1, ..., An, 2]`: focal lengths (fx, fy) in pixels.
          principal_point: A tensor of shape `[A1, ..., An, 2]`: principal points (cx, cy) in pixels.
          width: The image width in pixels, an int.
          height: The image height in pixels, an int.
          distortion: None, or a tensor of shape `[A1, ..., An, 5]`.

        Returns:
          A `Camera` (degenerate inputs are handled as in `transformation.look_at.right_handed`).
        """
        view = look_at_lib.right_handed(camera_position, look_at, up_vector, name="camera_from_look_at")
        # OpenGL's camera looks down -z with y up; flipping y and z gives ours.
        flip = tf.constant([1.0, -1.0, -1.0], view.dtype)
        rotation = view[..., :3, :3] * flip[:, None]
        translation = view[..., :3, 3] * flip
        return cls(rotation, translation, focal, principal_point, width, height, distortion)

    @trace_hook.op
    def world_to_camera(self, point, name="camera_world_to_camera"):
        """Maps world points `[A1, ..., An, 3]` to camera coordinates R p + t (the last entry is the depth)."""
        with tf.name_scope(name):
            (point,) = self._check(point=(point, 3))
            return self._world_to_camera(point)

    @trace_hook.op
    def project(self, point, name="camera_project"):
        """Projects world points `[A1, ..., An, 3]` to pixels `[A1, ..., An, 2]` (through the lens distortion if any).

        Points at or behind the camera get pixels too (see `perspective.project`); use
        `project_with_validity` to tell them apart.
        """
        with tf.name_scope(name):
            return self._project(point, perspective.project, brown_conrady.project)

    @trace_hook.op
    def project_with_validity(self, point, name="camera_project_with_validity"):
        """Projects world points to pixels, and tells which pixels are images of their points.

        A tuple of the pixels `[A1, ..., An, 2]` of `project` and bools `[A1, ..., An, 1]`, True where the
        point is in front of the camera (and in the valid range of the distortion, see `brown_conrady`).
        Image bounds are not checked.
        """
        with tf.name_scope(name):
            return self._project(point, perspective.project_with_validity, brown_conrady.project_with_validity)

    @trace_hook.op
    def rays(self, point_2d, name="camera_rays"):
        """World-space rays through pixels `[A1, ..., An, 2]`: a tuple of origins and directions `[A1, ..., An, 3]`.

        The origins are the camera centres, and the directions are scaled so that origin + z direction is
        the point at depth z (not unit length).
        """
        with tf.name_scope(name):
            (point_2d,) = self._check(point_2d=(point_2d, 2))
            direction = vector.matvec(tf.linalg.matrix_transpose(self.rotation), self._camera_ray(point_2d))
            origin = self.position + tf.zeros_like(direction)
            return origin, direction

    @trace_hook.op
    def unproject(self, point_2d, depth, name="camera_unproject"):
        """The world points `[A1, ..., An, 3]` projecting to pixels `[A1, ..., An, 2]` at depths `[A1, ..., An, 1]`."""
        with tf.name_scope(name):
            point_2d, depth = self._check(point_2d=(point_2d, 2), depth=(depth, 1))
            return self._camera_to_world(self._camera_ray(point_2d) * depth)

    @trace_hook.op
    def to_clip(self, point, near, far, name="camera_to_clip"):
        """Maps world points to the clip space that `graphics_ops.rendering.rasterize` takes.

        Pixel (i, j) of the rasterized image is the camera's pixel (i, j), centred on the point
        (j, i) of `project`; depth z / w is -1 at depth `near` and 1 at depth `far` (OpenGL's
        convention), and w is the depth. Lens distortion cannot be expressed in clip space, where
        triangles stay straight, so cameras with distortion are refused.

        Args:
          point: A tensor of shape `[A1, ..., An, 3]`: world points.
          near: A positive Python float: the depth of the near clipping plane.
          far: A Python float > `near`: the depth of the far clipping plane.
          name: A name for this op.

        Returns:
          A tensor of shape `[A1, ..., An, 4]`: (x, y, z, w) clip coordinates.

        Raises:
          ValueError: If the camera has distortion, or `near` and `far` are not 0 < near < far.
        """
        if self.distortion is not None:
            raise ValueError("to_clip needs a camera without lens distortion (rendering is pinhole)")
        if not (isinstance(near, (int, float)) and isinstance(far, (int, float)) and 0 < near < far):
            raise ValueError(f"near and far must be Python numbers with 0 < near < far, got {near!r}, {far!r}")
        with tf.name_scope(name):
            (point,) = self._check(point=(point, 3))
            x, y, z = tf.unstack(self._world_to_camera(point), axis=-1)
            fx, fy = tf.unstack(self.focal, axis=-1)
            cx, cy = tf.unstack(self.principal_point, axis=-1)
            width, height = float(self.width), float(self.height)
            clip_x = (2.0 * fx / width) * x + (2.0 * (cx + 0.5) / width - 1.0) * z
            clip_y = -(2.0 * fy / height) * y + (1.0 - 2.0 * (cy + 0.5) / height) * z
            clip_z = ((far + near) * z - 2.0 * far * near) / (far - near)
            return tf.stack(shape.broadcast((clip_x, 0), (clip_y, 0), (clip_z, 0), (z, 0)), axis=-1)

    @trace_hook.op
    def frustum_corners(self, near, far, name="camera_frustum_corners"):
        """See the module function `frustum_corners`."""
        return frustum_corners(self, near, far, name=name)

    def _project(self, point, pinhole, lens):
        """`pinhole` (a `perspective` function) of world points, or with distortion its `brown_conrady` twin `lens`."""
        (point,) = self._check(point=(point, 3))
        point_3d = self._world_to_camera(point)
        if self.distortion is None:
            return pinhole(point_3d, self.focal, self.principal_point)
        return lens(point_3d, self.focal, self.principal_point, self.distortion)

    def _check(self, **arguments):
        """Checks method arguments against the camera: same dtype, broadcast-compatible batch."""
        return shape.check_inputs(camera=(self.focal, 2), **arguments)[1:]

    def _world_to_camera(self, point):
        return vector.matvec(self.rotation, point) + self.translation

    def _camera_to_world(self, point_3d):
        return vector.matvec(tf.linalg.matrix_transpose(self.rotation), point_3d - self.translation)

    def _camera_ray(self, point_2d):
        """Directions (x, y, 1) in camera coordinates of the rays through pixels."""
        if self.distortion is None:
            return perspective.ray(point_2d, self.focal, self.principal_point)
        return brown_conrady.ray(point_2d, self.focal, self.principal_point, self.distortion)


@trace_hook.op
def frustum_corners(camera, near, far, name="camera_frustum_corners"):
    """World-space corners of the part of the cameras' view between two depths.

    The corners are where the rays through the image corners (-0.5, -0.5), (width - 0.5, -0.5),
    (width - 0.5, height - 0.5) and (-0.5, height - 0.5), undistorted if there is distortion, reach
    the depths `near` (corners 0 to 3) and `far` (corners 4 to 7). `FRUSTUM_EDGES` joins them into
    the 12 edges of the frustum; `near` = 0 gives the usual pyramid with its apex at the camera.

    Args:
      camera: A `Camera` of batch shape `[A1, ..., An]`.
      near: A tensor of shape `[A1, ..., An, 1]`, or a Python number: depths of the near rectangle.
      far: A tensor of shape `[A1, ..., An, 1]`, or a Python number: depths of the far rectangle.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 8, 3]`.
    """
    with tf.name_scope(name):
        near, far = [[value] if isinstance(value, (int, float)) else value for value in (near, far)]
        near, far = camera._check(near=(near, 1), far=(far, 1))
        right, bottom = camera.width - 0.5, camera.height - 0.5
        pixels = tf.constant([[-0.5, -0.5], [right, -0.5], [right, bottom], [-0.5, bottom]], camera.dtype)
        # One more batch axis, for the corners.
        corner_camera = _expand_batch(camera)
        rays = corner_camera._camera_ray(pixels)
        points = tf.concat([rays * near[..., None, :], rays * far[..., None, :]], axis=-2)
        return corner_camera._camera_to_world(points)


def _expand_batch(camera):
    """The camera with a new last batch axis of size 1."""
    return camera[(slice(None),) * camera.batch_shape.rank + (None,)]


def _index(tensor, key):
    return None if tensor is None else tensor[(*key, Ellipsis)]


def _set_fields(camera, fields):
    for name, value in fields.items():
        object.__setattr__(camera, name, value)


def _image_size(width, height):
    return arguments.check_positive_int(width, "width"), arguments.check_positive_int(height, "height")


__all__ = ["Camera", "frustum_corners", "FRUSTUM_EDGES"]
