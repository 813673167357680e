// Bundles src/index.js and three.js into the one ES module TensorBoard loads: tb_mesh_plugin/static/index.js.
import * as esbuild from 'esbuild';
import {fileURLToPath} from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

await esbuild.build({
  entryPoints: [here('src/index.js')],
  outfile: here('../tb_mesh_plugin/static/index.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
