"""The `mesh3d` TensorBoard plugin: route handlers that list tags and serve one step at a time.

All reads go through `context.data_provider`, so the plugin works with both of TensorBoard's loaders
(`--load_fast=true`, RustBoard, and `--load_fast=false`, the Python loader) and needs no TensorFlow.
"""

import logging
import pathlib

from werkzeug import wrappers

from tensorboard import errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.data import provider
from tensorboard.plugins import base_plugin

from tb_mesh_plugin import metadata, storage, wire

logger = logging.getLogger(__name__)

_STATIC_DIR = pathlib.Path(__file__).parent / "static"
# `--samples_per_plugin=mesh3d=0` means "keep every step"; a data-provider read with downsample=0
# returns nothing, so 0 is mapped to a limit no run reaches.
_ALL_STEPS = 2**31 - 1
_DEFAULT_STEPS = 100
# Stored int32 face indices are checked non-negative when written, so they are sent as uint32 as is.
_WIRE_DTYPES = {"float32": "float32", "int32": "uint32", "uint8": "uint8"}


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


def _wire_attribute(attribute):
    """An attribute's header entry: its description and the names of its two buffers."""
    values, ranges = metadata.attribute_array_names(attribute["name"])
    return {**attribute, "values": values, "ranges": ranges}


class MeshPlugin(base_plugin.TBPlugin):
    """Serves mesh and point-cloud summaries written by `tb_mesh_plugin.summary`."""

    plugin_name = metadata.PLUGIN_NAME

    def __init__(self, context):
        self._data_provider = context.data_provider
        hint = (context.sampling_hints or {}).get(metadata.PLUGIN_NAME)
        self._downsample = _ALL_STEPS if hint == 0 else hint or _DEFAULT_STEPS

    def get_plugin_apps(self):
        return {
            "/index.js": self._serve_index_js,
            "/tags": self._serve_tags,
            "/mesh": self._serve_mesh,
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
        return _json_response(request, {"runs": runs})

    @staticmethod
    def _describe(run, tag, series, data):
        try:
            content = metadata.parse_plugin_content(series.plugin_content)
        except metadata.MetadataError as e:
            logger.warning("mesh3d: run %r tag %r: %s", run, tag, e)
            return {"error": str(e), "description": series.description, "steps": []}
        return {
            "kind": content["kind"],
            "description": series.description,
            "vertex_count": content.get("vertex_count"),
            "face_count": content.get("face_count"),
            "segment_count": content.get("segment_count"),
            "color_channels": content.get("color_channels", 0),
            "attributes": content["attributes"],
            "samples": series.max_length,
            "max_step": series.max_step,
            "steps": [{"step": d.step, "wall_time": d.wall_time} for d in data],
        }

    @_route
    def _serve_mesh(self, request):
        run = _str_param(request, "run")
        tag = _str_param(request, "tag")
        step = _int_param(request, "step")
        sample = _int_param(request, "sample", default=0)
        if sample < 0:
            raise _BadRequest(400, "query parameter 'sample' must not be negative")
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
            "attributes": [_wire_attribute(a) for a in decoded.attributes],
        }
        buffers = [
            (name, _WIRE_DTYPES[array.dtype], array.shape, array.data) for name, array in decoded.arrays.items()
        ]
        return http_util.Respond(request, wire.encode(header, buffers), "application/octet-stream")
