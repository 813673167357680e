"""The `mesh3d` TensorBoard plugin: route handlers that list tags and serve one step at a time.

All reads go through `context.data_provider`, so the plugin works with both of TensorBoard's loaders
(`--load_fast=true`, RustBoard, and `--load_fast=false`, the Python loader) and needs no TensorFlow.
Besides its own summaries it serves those of TensorBoard's built-in mesh plugin (`builtin_mesh`), in
the same wire format.
"""

import hashlib
import json
import logging
import pathlib
import re

from tensorboard import errors, plugin_util
from tensorboard.backend import http_util, json_util
from tensorboard.data import provider
from tensorboard.plugins import base_plugin
from werkzeug import wrappers

import tb_mesh_plugin
from tb_mesh_plugin import (
    alerts,
    builtin_mesh,
    images,
    metadata,
    preview,
    response_cache,
    routes,
    schema,
    storage,
    tensor_proto,
    wire,
)

logger = logging.getLogger(__name__)

_STATIC_DIR = pathlib.Path(__file__).parent / "static"
# `--samples_per_plugin=mesh3d=0` means "keep every step"; a data-provider read with downsample=0
# returns nothing, so 0 is mapped to a limit no run reaches.
_ALL_STEPS = 2**31 - 1
_DEFAULT_STEPS = 100
# Steps per tag TensorBoard keeps without a `--samples_per_plugin` flag: (Python loader, RustBoard).
_LOADER_LIMITS = {"blob_sequences": (10, 10), "tensors": (10, 100)}
# Run and tag names RustBoard cannot read blobs of: its blob keys are JSON it parses without unescaping.
_RUSTBOARD_UNREADABLE = re.compile(r'["\\]')
# A stored step that fails its checksum or cannot be decoded: the request is valid, the stored bytes are
# not, and asking again cannot help until the log changes (docs/http-api.md).
_CORRUPT_STEP = 409
# A valid request for a run or tag whose name the running loader cannot read blobs of.
_UNREADABLE_NAME = 422
# Part of every ETag, so another version of the plugin never revalidates an older body.
_ETAG_VERSION = f"{tb_mesh_plugin.__version__}/wire{wire.VERSION}/checksum{storage.CHECKSUM_VERSION}"


_READ_BLOB_METHOD = "/tensorboard.data.TensorBoardDataProvider/ReadBlob"


def _rustboard_blob_reader(data_provider, flags):
    """For RustBoard, `read_blob(blob_key)` that joins the data server's messages as they arrived.

    `GrpcDataProvider.read_blob` parses each message of the stream (of about 8 MB), copies its `data`
    field out and joins the copies. Reading the same stream without a deserializer and joining views of
    the `data` fields saves one copy of the blob: a fifth of a 1M-vertex first read. It needs the
    provider's address and `--grpc_creds_type`; without them it is None, and the provider's own
    `read_blob` is used.
    """
    address, creds_type = getattr(data_provider, "_addr", None), getattr(flags, "grpc_creds_type", None)
    if not isinstance(address, str) or not hasattr(creds_type, "channel_config"):
        return None
    import grpc
    from tensorboard.data.proto import data_provider_pb2

    creds, options = creds_type.channel_config()
    channel = grpc.secure_channel(address, creds, options=[*options, ("grpc.max_receive_message_length", -1)])
    call = channel.unary_stream(
        _READ_BLOB_METHOD,
        request_serializer=data_provider_pb2.ReadBlobRequest.SerializeToString,
        response_deserializer=None,
    )

    def read_blob(blob_key):
        try:
            messages = list(call(data_provider_pb2.ReadBlobRequest(blob_key=blob_key)))
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.NOT_FOUND:
                raise errors.NotFoundError(e.details()) from None
            if e.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise errors.InvalidArgumentError(e.details()) from None
            raise
        data = [tensor_proto.bytes_field(message, 1) for message in messages]
        return data[0] if len(data) == 1 else b"".join(data)

    return read_blob


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
    value = routes.int_param(request, "max_points")
    if value < 1:
        raise routes.BadRequest(400, "query parameter 'max_points' must be at least 1")
    return value


def _step_body(header, buffers, attributes, max_points):
    """Encodes one step (a `response_cache.Body`), strided down to `max_points` vertices when that is given."""
    if max_points is not None:
        buffers, attributes, decimated = preview.decimate(buffers, attributes, max_points)
        if decimated:
            header = {**header, "preview": decimated}
    return response_cache.Body(wire.encode_parts({**header, "attributes": attributes}, buffers))


def _body_response(body, headers):
    """A 200 response streaming `body` (a `response_cache.Body`) in chunks, with the headers `Respond` sets."""
    headers = [*headers, ("Content-Length", str(len(body))), ("X-Content-Type-Options", "nosniff"), ("Expires", "0")]
    return wrappers.Response(
        body.chunks(), status=200, headers=headers, content_type="application/octet-stream", direct_passthrough=True
    )


def _entry_json(run, tag, entry):
    """`entry` as JSON text (as `Respond` encodes a listing), or an error entry's if that fails.

    Entries carry values read from summary metadata; one that nests too deeply for the encoder must
    cost only its own card, not the listing of every run. Each entry is encoded once, here.
    """
    try:
        return json.dumps(json_util.Cleanse(entry))
    except (RecursionError, ValueError, TypeError) as e:
        logger.warning("mesh3d: run %r tag %r cannot be listed: %r", run, tag, e)
        return json.dumps(
            {
                "source": entry.get("source"),
                "error": f"this summary's metadata cannot be listed: {e!r}"[:500],
                "description": "",
                "steps": [],
            }
        )


def _listing_json(runs):
    """The `tags` body `{"runs": {run: {tag: entry}}}` from `{run: {tag: entry JSON text}}`."""
    members = (
        f"{json.dumps(run)}: {{{', '.join(f'{json.dumps(tag)}: {text}' for tag, text in tags.items())}}}"
        for run, tags in runs.items()
    )
    return f'{{"runs": {{{", ".join(members)}}}}}'


def _etag(key):
    """A strong entity tag (without quotes) for the body of a cache key."""
    return hashlib.blake2b(repr((_ETAG_VERSION, key)).encode("utf-8"), digest_size=16).hexdigest()


def _cached_step_response(request, cache, key, encode):
    """Answers a step request from the cache of encoded bodies, or with 304 if the browser holds it.

    `key` determines the body (it includes the step's wall time); `encode()` reads and encodes it on
    a miss. The response carries an `ETag` derived from the key and `Cache-Control: private, no-cache`,
    so the browser revalidates its copy with `If-None-Match` instead of downloading it again.
    """
    etag = _etag(key)
    headers = [("ETag", f'"{etag}"')]
    if request.if_none_match.contains_weak(etag):
        response = http_util.Respond(request, b"", "application/octet-stream", code=304, headers=headers)
    else:
        body, hit = cache.get_or_create(key, encode)
        headers.append(("X-Mesh3d-Cache", "hit" if hit else "miss"))
        response = _body_response(body, headers)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _unreadable_by_rustboard(run, tag):
    return bool(_RUSTBOARD_UNREADABLE.search(run) or _RUSTBOARD_UNREADABLE.search(tag))


def _rustboard_name_message(run, tag):
    """What is wrong with a name `_unreadable_by_rustboard` refuses, and how to get the steps shown."""
    what = f"run {run!r}" if _RUSTBOARD_UNREADABLE.search(run) else f"tag {tag!r}"
    return (
        f"TensorBoard's fast loader (RustBoard, --load_fast=true) cannot read the steps of {what}: "
        "names holding '\"' or '\\' are not readable through it. Rename the run's directory (or log "
        "the tag under another name) without those characters, or start TensorBoard with --load_fast=false."
    )


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
        self._images = images.ImageReader(context.data_provider, _reads(hints.get(images.PLUGIN_NAME)))
        self._rustboard = bool(loader)
        self._read_raw_blob = _rustboard_blob_reader(context.data_provider, context.flags) if loader else None
        self._cache = response_cache.ResponseCache(response_cache.capacity_from_environment())

    def get_plugin_apps(self):
        return {
            "/index.js": self._serve_index_js,
            "/images": self._serve_images,
            "/image": self._serve_image,
            "/tags": self._serve_tags,
            "/mesh": self._serve_mesh,
            "/builtin_mesh": self._serve_builtin_mesh,
            "/alerts": alerts.app(self._data_provider),
        }

    def is_active(self):
        return False  # Activity comes from `data_plugin_names` via the data provider.

    def data_plugin_names(self):
        # Built-in mesh summaries (torch / tensorboardX `add_mesh`) alone light the 3D tab up too.
        return (metadata.PLUGIN_NAME, builtin_mesh.PLUGIN_NAME)

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/index.js", tab_name="3D")

    @routes.route
    def _serve_index_js(self, request):
        try:
            script = (_STATIC_DIR / "index.js").read_bytes()
        except FileNotFoundError:
            raise routes.BadRequest(
                404, "the frontend bundle is missing: build it with `make frontend` (needs npm)"
            ) from None
        return http_util.Respond(request, script, "text/javascript")

    @routes.route
    def _serve_images(self, request):
        ctx, experiment = plugin_util.context(request.environ), plugin_util.experiment_id(request.environ)
        return routes.json_response(request, self._images.listing(ctx, experiment))

    @routes.route
    def _serve_image(self, request):
        ctx, experiment = plugin_util.context(request.environ), plugin_util.experiment_id(request.environ)
        run, tag, step = (
            routes.str_param(request, "run"),
            routes.str_param(request, "tag"),
            routes.int_param(request, "step"),
        )
        index = routes.int_param(request, "index", default=0)
        blob_key, read_step, wall_time = self._images.locate(ctx, experiment, run, tag, step, index)
        # The image a kept step holds never changes while its wall time stays, so the browser may
        # revalidate its copy (If-None-Match) and get a 304 without the blob being read.
        etag = _etag(("image", run, tag, read_step, wall_time, index))
        headers = [
            ("ETag", f'"{etag}"'),
            ("X-Mesh3d-Step", str(read_step)),
            ("X-Mesh3d-Wall-Time", repr(wall_time)),
        ]
        if request.if_none_match.contains_weak(etag):
            response = http_util.Respond(request, b"", "application/octet-stream", code=304, headers=headers)
        else:
            data, kind = self._images.read(ctx, blob_key)
            response = http_util.Respond(request, bytes(data), kind, headers=headers)
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    @routes.route
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
                runs.setdefault(run, {})[tag] = _entry_json(run, tag, entry)
        for run, meshes in self._builtin_keys(ctx, experiment, runs).items():
            for key, mesh in meshes.items():
                entry = self._describe_builtin(ctx, experiment, run, mesh)
                runs.setdefault(run, {})[key] = _entry_json(run, key, entry)
        return routes.json_response(request, _listing_json(runs))

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
        if mesh.config_error:
            error = f"this built-in mesh cannot be shown: {mesh.config_error}"
            return {"source": builtin_mesh.PLUGIN_NAME, "error": error, "description": mesh.description, "steps": []}
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
        entry = {
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
            "camera": content["camera"],
            "samples": series.max_length,
            "max_step": series.max_step,
            "steps": [{"step": d.step, "wall_time": d.wall_time} for d in data],
            "sampling": _sampling(len(data), series.max_step, self._limits[metadata.PLUGIN_NAME], metadata.PLUGIN_NAME),
        }
        if self._rustboard and _unreadable_by_rustboard(run, tag):
            entry["error"] = _rustboard_name_message(run, tag)
        return entry

    @staticmethod
    def _step_params(request):
        """The `run`, `tag`, `step`, `sample` and `max_points` of a step request."""
        run = routes.str_param(request, "run")
        tag = routes.str_param(request, "tag")
        step = routes.int_param(request, "step")
        sample = routes.int_param(request, "sample", default=0)
        if sample < 0:
            raise routes.BadRequest(400, "query parameter 'sample' must not be negative")
        return run, tag, step, sample, _max_points_param(request)

    @routes.route
    def _serve_mesh(self, request):
        run, tag, step, sample, max_points = self._step_params(request)
        if self._rustboard and _unreadable_by_rustboard(run, tag):
            raise routes.BadRequest(_UNREADABLE_NAME, _rustboard_name_message(run, tag), reason="unreadable_name")
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        series = self._data_provider.read_blob_sequences(
            ctx,
            experiment_id=experiment,
            plugin_name=metadata.PLUGIN_NAME,
            downsample=_ALL_STEPS,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=[tag]),
        )
        data = series.get(run, {}).get(tag)
        if data is None:
            raise routes.BadRequest(404, f"no 3D data for run {run!r} and tag {tag!r}")
        datum = next((d for d in data if d.step == step), None)
        if datum is None:
            raise routes.BadRequest(404, f"step {step} of run {run!r}, tag {tag!r} was not kept or not written")
        if sample >= len(datum.values):
            raise routes.BadRequest(404, f"sample {sample} is out of range: step {step} holds {len(datum.values)}")

        def encode():
            blob_key = datum.values[sample].blob_key
            try:
                # The arrays stay views of the blob as read: a full step's body holds the blob, not a copy.
                decoded = storage.decode_sample(
                    self._read_raw_blob(blob_key)
                    if self._read_raw_blob
                    else self._data_provider.read_blob(ctx, blob_key=blob_key)
                )
            except storage.CorruptSampleError as e:
                logger.error("mesh3d: run %r tag %r step %d: %s", run, tag, step, e)
                raise routes.BadRequest(
                    _CORRUPT_STEP, f"the stored step cannot be read: {e}", reason="corrupt"
                ) from None
            header = {
                "kind": decoded.kind,
                "step": step,
                "wall_time": datum.wall_time,
                "sample": sample,
                "num_samples": len(datum.values),
            }
            buffers = [
                (name, schema.DTYPES[array.dtype].wire, array.shape, array.data)
                for name, array in decoded.arrays.items()
            ]
            attributes = [_wire_attribute(a) for a in decoded.attributes]
            return _step_body(header, buffers, attributes, max_points)

        key = (metadata.PLUGIN_NAME, experiment, run, tag, step, sample, max_points, datum.wall_time)
        return _cached_step_response(request, self._cache, key, encode)

    @routes.route
    def _serve_builtin_mesh(self, request):
        run, tag, step, sample, max_points = self._step_params(request)
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        mesh = self._builtin_keys(ctx, experiment, self._mesh3d_tags(ctx, experiment)).get(run, {}).get(tag)
        if mesh is None:
            raise routes.BadRequest(404, f"no built-in mesh for run {run!r} and tag {tag!r}")
        wall_time = dict(self._builtin.kept_steps(ctx, experiment, run, mesh)).get(step)
        if wall_time is None:
            raise routes.BadRequest(404, f"step {step} of run {run!r}, tag {tag!r} was not kept or not written")

        def encode():
            try:
                read = self._builtin.read_step(ctx, experiment, run, mesh, step, sample)
            except IndexError as e:
                raise routes.BadRequest(404, str(e)) from None
            except builtin_mesh.CorruptMeshError as e:
                logger.error("mesh3d: built-in mesh run %r tag %r step %d: %s", run, tag, step, e)
                raise routes.BadRequest(
                    _CORRUPT_STEP, f"the stored step cannot be read: {e}", reason="corrupt"
                ) from None
            if read is None:
                raise routes.BadRequest(404, f"step {step} of run {run!r}, tag {tag!r} was not kept or not written")
            wall_time, num_samples, arrays = read
            kind = "mesh" if "faces" in arrays else "point_cloud"
            header = {"kind": kind, "step": step, "wall_time": wall_time, "sample": sample, "num_samples": num_samples}
            buffers = [(name, dtype, shape, data) for name, (dtype, shape, data) in arrays.items()]
            return _step_body(header, buffers, [], max_points)

        key = (builtin_mesh.PLUGIN_NAME, experiment, run, tag, step, sample, max_points, wall_time)
        return _cached_step_response(request, self._cache, key, encode)

    def _mesh3d_tags(self, ctx, experiment):
        """`{run: {tag: ...}}` of this plugin's own tags, to resolve built-in keys as the tags route does."""
        return self._data_provider.list_blob_sequences(ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME)
