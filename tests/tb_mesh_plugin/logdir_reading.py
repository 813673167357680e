"""Reading logdirs back through TensorBoard's own data provider, as the plugin does."""

from demo.data_providers import python_data_provider


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
