"""The `alerts` route: the NaN/Inf alerts `trace.record` wrote, read through the data provider.

An alert is a text summary (TensorBoard's Text tab shows it as a table) under `ALERTS_TAG`: a `[K, 2]` string
tensor of (field, value) rows: op, tag, step, found in, inputs. Needs no TensorFlow.
"""

from tensorboard import errors, plugin_util
from tensorboard.data import provider

from tb_mesh_plugin import routes

ALERTS_TAG = "trace/alerts"
_TEXT_PLUGIN = "text"
# The most recent alerts kept per run (TensorBoard keeps 10 text steps per tag by default anyway).
_MAX_ALERTS = 100
_FIELDS = {"op": "op", "tag": "tag", "found in": "found_in", "inputs": "inputs"}


def app(data_provider):
    """A WSGI app answering `alerts[?run=R]` with `{"alerts": [{run, step, wall_time, op, tag, found_in, inputs}]}`,
    sorted by run and step; 400 for a malformed `run`, 404 for an unknown one (JSON errors)."""

    @routes.route
    def serve(request):
        runs = request.args.getlist("run")
        if len(runs) > 1 or runs == [""]:
            raise routes.BadRequest(400, "query parameter 'run' must be given at most once, and not empty")
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        try:
            data = data_provider.read_tensors(
                ctx,
                experiment_id=experiment,
                plugin_name=_TEXT_PLUGIN,
                downsample=_MAX_ALERTS,
                run_tag_filter=provider.RunTagFilter(runs=runs or None, tags=[ALERTS_TAG]),
            )
        except (errors.NotFoundError, errors.InvalidArgumentError) as e:
            raise routes.BadRequest(404, str(e)) from None
        if runs and runs[0] not in data:
            raise routes.BadRequest(404, f"no alerts in run {runs[0]!r}")
        alerts = [
            alert
            for run in sorted(data)
            for datum in data[run].get(ALERTS_TAG, [])
            if (alert := _alert(run, datum)) is not None
        ]
        return routes.json_response(request, {"alerts": alerts})

    return serve


def _alert(run, datum):
    """One alert as a dict, or None if the datum is not a table of (field, value) rows as `trace` writes."""
    table = datum.numpy
    if table.ndim != 2 or table.shape[1] != 2 or table.dtype.kind not in "SO":
        return None
    rows = {_text(field): _text(value) for field, value in table}
    alert = {"run": run, "step": datum.step, "wall_time": datum.wall_time}
    alert.update({key: rows.get(field, "") for field, key in _FIELDS.items()})
    return alert


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
