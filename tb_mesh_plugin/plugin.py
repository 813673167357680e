"""The `mesh3d` TensorBoard plugin: route handlers that list tags and serve one step at a time.

All reads go through `context.data_provider`, so the plugin works with both of TensorBoard's loaders
(`--load_fast=true`, RustBoard, and `--load_fast=false`, the Python loader) and needs no TensorFlow.
Besides its own summaries it serves those of TensorBoard's built-in mesh plugin (`builtin_mesh`), in
the same wire format.
"""

import logging
import pathlib

from tensorboard import errors, plugin_util
from tensorboard.backend import http_util
from tensorboard.data import provider
from tensorboard.plugins import base_plugin
from werkzeug import wrappers

from tb_mesh_plugin import builtin_mesh, metadata, preview, schema, storage, wire

logger = logging.getLogger(__name__)

_STATIC_DIR = pathlib.Path(__file__).parent / "static"
# `--samples_per_plugin=mesh3d=0` means "keep every step"; a data-provider read with downsample=0
# returns nothing, so 0 is mapped to a limit no run reaches.
_ALL_STEPS = 2**31 - 1
_DEFAULT_STEPS = 100
# Steps per tag TensorBoard keeps without a `--samples_per_plugin` flag: (Python loader, RustBoard).
_LOADER_LIMITS = {"blob_sequences": (10, 10), "tensors": (10, 100)}


class _BadRequest(Exception):
    """A client error, answered with `code` and a JSON message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _json_response(request, body, code=200):
    return http_util.Respond(request, body, "application/json", code=code)


def _route(handler):
    """Wraps a handler so client errors become JSON 4xx responses."""

    @wrappers.Request.application
    def serve(self, request):
        try:
            return handler(self, request)
        except _BadRequest as e:
            return _json_response(request, {"error": str(e)}, code=e.code)
        except errors.NotFoundError as e:
            return _json_response(request, {"error": str(e)}, code=404)
        except errors.InvalidArgumentError as e:
            return _json_response(request, {"error": str(e)}, code=400)

    return serve


def _int_param(request, name, default=None):
    raw = request.args.get(name)
    if raw is None:
        if default is None:
            raise _BadRequest(400, f"missing query parameter {name!r}")
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise _BadRequest(400, f"query parameter {name!r} must be an integer, got {raw[:100]!r}") from None
    if not -(2**63) <= value < 2**63:
        raise _BadRequest(400, f"query parameter {name!r} is out of the int64 range")
    return value


def _str_param(request, name):
    value = request.args.get(name)
    if value is None:
        raise _BadRequest(400, f"missing query parameter {name!r}")
    return value


def _is_rustboard(data_provider):
    try:
        from tensorboard.data import grpc_provider
    except ImportError:  # pragma: no cover - grpc is a dependency of tensorboard
        return False
    return isinstance(data_provider, grpc_provider.GrpcDataProvider)


def _reads(hint):
    """The `downsample` of reads for a sampling hint: every step for 0, else the hint or a default."""
    return _ALL_STEPS if hint == 0 else hint or _DEFAULT_STEPS


def _kept_limit(hint, loader_default):
    """How many steps per tag TensorBoard keeps for a sampling hint: None for all of them."""
    return None if hint == 0 else hint or loader_default


def _sampling(kept, max_step, limit, plugin_name):
    """A tag entry's `sampling` field: the limit, whether steps may have been dropped, the flag to keep all."""
    return {
        "limit": limit,
        "may_have_dropped": limit is not None and limit <= kept < max_step + 1,
        "keep_all_flag": f"--samples_per_plugin={plugin_name}=0",
    }


def _max_points_param(request):
    if request.args.get("max_points") is None:
        return None
    value = _int_param(request, "max_points")
    if value < 1:
        raise _BadRequest(400, "query parameter 'max_points' must be at least 1")
    return value


def _step_body(header, buffers, attributes, max_points):
    """Encodes one step, strided down to `max_points` vertices when that is given."""
    if max_points is not None:
        buffers, attributes, decimated = preview.decimate(buffers, attributes, max_points)
        if decimated:
            header = {**header, "preview": decimated}
    return wire.encode({**header, "attributes": attributes}, buffers)


def _wire_attribute(attribute):
    """An attribute's header entry: its description and the names of its two buffers."""
    values, ranges = schema.attribute_array_names(attribute["name"])
    return {**attribute, "values": values, "ranges": ranges}


class MeshPlugin(base_plugin.TBPlugin):
    """Serves mesh and point-cloud summaries written by `tb_mesh_plugin.summary`."""

    plugin_name = metadata.PLUGIN_NAME

    def __init__(self, context):
        self._data_provider = context.data_provider
        hints = context.sampling_hints or {}
        hint, builtin_hint = hints.get(metadata.PLUGIN_NAME), hints.get(builtin_mesh.PLUGIN_NAME)
        self._downsample = _reads(hint)
        loader = 1 if _is_rustboard(context.data_provider) else 0
        self._limits = {
            metadata.PLUGIN_NAME: _kept_limit(hint, _LOADER_LIMITS["blob_sequences"][loader]),
            builtin_mesh.PLUGIN_NAME: _kept_limit(builtin_hint, _LOADER_LIMITS["tensors"][loader]),
        }
        self._builtin = builtin_mesh.BuiltinMeshReader(context.data_provider, _reads(builtin_hint))

    def get_plugin_apps(self):
        return {
            "/index.js": self._serve_index_js,
            "/tags": self._serve_tags,
            "/mesh": self._serve_mesh,
            "/builtin_mesh": self._serve_builtin_mesh,
        }

    def is_active(self):
        return False  # Activity comes from `data_plugin_names` via the data provider.

    def data_plugin_names(self):
        return (metadata.PLUGIN_NAME,)

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/index.js", tab_name="3D")

    @_route
    def _serve_index_js(self, request):
        try:
            script = (_STATIC_DIR / "index.js").read_bytes()
        except FileNotFoundError:
            raise _BadRequest(
                404, "the frontend bundle is missing: build it with `make frontend` (needs npm)"
            ) from None
        return http_util.Respond(request, script, "text/javascript")

    @_route
    def _serve_tags(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        listing = self._data_provider.list_blob_sequences(
            ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME
        )
        steps = self._data_provider.read_blob_sequences(
            ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME, downsample=self._downsample
        )
        runs = {}
        for run, tags in listing.items():
            for tag, series in tags.items():
                entry = self._describe(run, tag, series, steps.get(run, {}).get(tag, []))
                runs.setdefault(run, {})[tag] = entry
        for run, meshes in self._builtin_keys(ctx, experiment, runs).items():
            for key, mesh in meshes.items():
                runs.setdefault(run, {})[key] = self._describe_builtin(ctx, experiment, run, mesh)
        return _json_response(request, {"runs": runs})

    def _builtin_keys(self, ctx, experiment, runs):
        """`{run: {key: BuiltinMesh}}`: keyed by mesh name, or by its vertex tag where a mesh3d tag has that name.

        Tags are unique within a run across plugins, so the vertex tag never collides.
        """
        keyed = {}
        for run, meshes in self._builtin.list(ctx, experiment).items():
            for name, mesh in meshes.items():
                key = name if name not in runs.get(run, {}) else mesh.instance_tags[builtin_mesh.VERTEX]
                keyed.setdefault(run, {})[key] = mesh
        return keyed

    def _describe_builtin(self, ctx, experiment, run, mesh):
        steps = self._builtin.kept_steps(ctx, experiment, run, mesh)
        samples, vertex_count = (d if d > 0 else None for d in mesh.shape[:2]) if len(mesh.shape) == 3 else (None, None)
        return {
            "source": builtin_mesh.PLUGIN_NAME,
            "kind": "mesh" if mesh.face_count is not None else "point_cloud",
            "description": mesh.description,
            "vertex_count": vertex_count,
            "face_count": mesh.face_count,
            "segment_count": None,
            "color_channels": 3 if builtin_mesh.COLOR in mesh.instance_tags else 0,
            "attributes": [],
            "samples": samples,
            "max_step": mesh.max_step,
            "config": mesh.config,
            "steps": [{"step": step, "wall_time": wall_time} for step, wall_time in steps],
            "sampling": _sampling(len(steps), mesh.max_step, self._limits[builtin_mesh.PLUGIN_NAME], "mesh"),
        }

    def _describe(self, run, tag, series, data):
        try:
            content = metadata.parse_plugin_content(series.plugin_content)
        except metadata.MetadataError as e:
            logger.warning("mesh3d: run %r tag %r: %s", run, tag, e)
            return {"source": metadata.PLUGIN_NAME, "error": str(e), "description": series.description, "steps": []}
        return {
            "source": metadata.PLUGIN_NAME,
            "kind": content["kind"],
            "description": series.description,
            "vertex_count": content.get("vertex_count"),
            "face_count": content.get("face_count"),
            "segment_count": content.get("segment_count"),
            "color_channels": content.get("color_channels", 0),
            "attributes": content["attributes"],
            "face_color_channels": content.get("face_color_channels", 0),
            "quantize": content.get("quantize"),
            "samples": series.max_length,
            "max_step": series.max_step,
            "steps": [{"step": d.step, "wall_time": d.wall_time} for d in data],
            "sampling": _sampling(len(data), series.max_step, self._limits[metadata.PLUGIN_NAME], metadata.PLUGIN_NAME),
        }

    @staticmethod
    def _step_params(request):
        """The `run`, `tag`, `step`, `sample` and `max_points` of a step request."""
        run = _str_param(request, "run")
        tag = _str_param(request, "tag")
        step = _int_param(request, "step")
        sample = _int_param(request, "sample", default=0)
        if sample < 0:
            raise _BadRequest(400, "query parameter 'sample' must not be negative")
        return run, tag, step, sample, _max_points_param(request)

    @_route
    def _serve_mesh(self, request):
        run, tag, step, sample, max_points = self._step_params(request)
        ctx = plugin_util.context(request.environ)
        series = self._data_provider.read_blob_sequences(
            ctx,
            experiment_id=plugin_util.experiment_id(request.environ),
            plugin_name=metadata.PLUGIN_NAME,
            downsample=_ALL_STEPS,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=[tag]),
        )
        data = series.get(run, {}).get(tag)
        if data is None:
            raise _BadRequest(404, f"no 3D data for run {run!r} and tag {tag!r}")
        datum = next((d for d in data if d.step == step), None)
        if datum is None:
            raise _BadRequest(404, f"step {step} of run {run!r}, tag {tag!r} was not kept or not written")
        if sample >= len(datum.values):
            raise _BadRequest(404, f"sample {sample} is out of range: step {step} holds {len(datum.values)}")
        blob = self._data_provider.read_blob(ctx, blob_key=datum.values[sample].blob_key)
        try:
            decoded = storage.decode_sample(blob)
        except storage.CorruptSampleError as e:
            logger.error("mesh3d: run %r tag %r step %d: %s", run, tag, step, e)
            return _json_response(request, {"error": f"the stored step cannot be read: {e}"}, code=500)
        header = {
            "kind": decoded.kind,
            "step": step,
            "wall_time": datum.wall_time,
            "sample": sample,
            "num_samples": len(datum.values),
        }
        buffers = [
            (name, schema.DTYPES[array.dtype].wire, array.shape, array.data) for name, array in decoded.arrays.items()
        ]
        attributes = [_wire_attribute(a) for a in decoded.attributes]
        body = _step_body(header, buffers, attributes, max_points)
        return http_util.Respond(request, body, "application/octet-stream")

    @_route
    def _serve_builtin_mesh(self, request):
        run, tag, step, sample, max_points = self._step_params(request)
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        mesh = self._builtin_keys(ctx, experiment, self._mesh3d_tags(ctx, experiment)).get(run, {}).get(tag)
        if mesh is None:
            raise _BadRequest(404, f"no built-in mesh for run {run!r} and tag {tag!r}")
        try:
            read = self._builtin.read_step(ctx, experiment, run, mesh, step, sample)
        except IndexError as e:
            raise _BadRequest(404, str(e)) from None
        except builtin_mesh.CorruptMeshError as e:
            logger.error("mesh3d: built-in mesh run %r tag %r step %d: %s", run, tag, step, e)
            return _json_response(request, {"error": f"the stored step cannot be read: {e}"}, code=500)
        if read is None:
            raise _BadRequest(404, f"step {step} of run {run!r}, tag {tag!r} was not kept or not written")
        wall_time, num_samples, arrays = read
        kind = "mesh" if "faces" in arrays else "point_cloud"
        header = {"kind": kind, "step": step, "wall_time": wall_time, "sample": sample, "num_samples": num_samples}
        buffers = [(name, dtype, shape, data) for name, (dtype, shape, data) in arrays.items()]
        body = _step_body(header, buffers, [], max_points)
        return http_util.Respond(request, body, "application/octet-stream")

    def _mesh3d_tags(self, ctx, experiment):
        """`{run: {tag: ...}}` of this plugin's own tags, to resolve built-in keys as the tags route does."""
        return self._data_provider.list_blob_sequences(ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME)
