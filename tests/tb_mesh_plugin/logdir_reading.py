"""Reading logdirs back through TensorBoard's own data provider, as the plugin does."""


def python_data_provider(logdir, sampling_hints=None):
    """TensorBoard's Python-loader data provider over `logdir`.

    Without `sampling_hints` every step of mesh3d summaries is loaded; with them, steps are kept as
    `tensorboard --samples_per_plugin=...` keeps them (10 per tag unless a hint says otherwise).
    """
    from tensorboard.backend.event_processing import (
        data_ingester,
        data_provider,
        event_accumulator,
        plugin_event_multiplexer,
    )

    if sampling_hints is None:
        guidance = {"tensor_size_guidance": {"mesh3d": 0}}
    else:
        guidance = {
            "size_guidance": event_accumulator.DEFAULT_SIZE_GUIDANCE,
            "tensor_size_guidance": {**data_ingester.DEFAULT_TENSOR_SIZE_GUIDANCE, **sampling_hints},
        }
    multiplexer = plugin_event_multiplexer.EventMultiplexer(**guidance)
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, str(logdir))


def read_logdir(logdir):
    """Reads every mesh3d summary under `logdir` through TensorBoard's data provider.

    Returns:
      {(run, tag): (series metadata, [(step, [storage.Sample per blob])])}
    """
    from tensorboard import context

    from tb_mesh_plugin import metadata, storage

    ctx = context.RequestContext()
    provider = python_data_provider(logdir)
    listing = provider.list_blob_sequences(ctx, experiment_id="", plugin_name=metadata.PLUGIN_NAME)
    data = provider.read_blob_sequences(ctx, experiment_id="", plugin_name=metadata.PLUGIN_NAME, downsample=10**6)
    result = {}
    for run, tags in listing.items():
        for tag, series in tags.items():
            steps = [
                (
                    datum.step,
                    [storage.decode_sample(provider.read_blob(ctx, blob_key=ref.blob_key)) for ref in datum.values],
                )
                for datum in data[run][tag]
            ]
            result[(run, tag)] = (series, steps)
    return result


def make_client(logdir, sampling_hints=None):
    """A werkzeug test client of TensorBoard's WSGI app serving only the mesh3d plugin over `logdir`.

    Steps are kept as a `tensorboard` process with `--samples_per_plugin` set to `sampling_hints` keeps them.
    """
    from tensorboard.backend import application
    from tensorboard.plugins import base_plugin
    from werkzeug import test as werkzeug_test

    from tb_mesh_plugin import plugin

    provider = python_data_provider(logdir, sampling_hints or {})
    context = base_plugin.TBContext(data_provider=provider, logdir=str(logdir), sampling_hints=sampling_hints or {})
    app = application.TensorBoardWSGI([plugin.MeshPlugin(context)], data_provider=provider)
    return werkzeug_test.Client(app)
