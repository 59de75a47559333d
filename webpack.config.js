// Two bundles: the extension (vscode external) and the CLI. Cloud SDKs are imported with
// dynamic import() in the engine, so webpack splits them into their own chunks.
const path = require('path');

const common = (mode) => ({
  mode,
  target: 'node',
  devtool: mode === 'production' ? false : 'source-map',
  // CommonJS builds of the SDKs: their ESM builds keep `createRequire(import.meta.url)` (e.g.
  // @azure/storage-common), which makes Node load the chunk as an ES module and fail.
  resolve: { extensions: ['.ts', '.js'], conditionNames: ['node', 'require', 'default'] },
  module: {
    rules: [
      { test: /\.ts$/, exclude: /node_modules/, loader: 'esbuild-loader', options: { target: 'node20' } },
    ],
  },
  externals: {
    vscode: 'commonjs vscode',
    // Optional native add-ons that the SDKs probe for; absent is fine.
    'cpu-features': 'commonjs cpu-features',
    './crypto/build/Release/sshcrypto.node': 'commonjs ./crypto/build/Release/sshcrypto.node',
    'utf-8-validate': 'commonjs utf-8-validate',
    bufferutil: 'commonjs bufferutil',
    encoding: 'commonjs encoding',
  },
  node: { __dirname: false, __filename: false },
  // Class names survive minifying: libraries check them (node-fetch, under the GCS SDK, accepts an
  // abort signal only if its constructor is named AbortSignal; abort-controller's polyfill class
  // lost its name and every resumable GCS upload from the bundle failed).
  optimization: {
    minimizeOptions: {
      javascript: { compress: { passes: 2 }, keep_classnames: true, keep_fnames: /^AbortSignal$/ },
    },
  },
  performance: { hints: false },
  stats: 'errors-warnings',
  ignoreWarnings: [
    /Critical dependency/,
    /Module not found: Error: Can't resolve '(encoding|bufferutil|utf-8-validate|supports-color)'/,
  ],
});

module.exports = (_env, argv) => {
  const mode = argv.mode || 'production';
  return [
    {
      ...common(mode),
      name: 'extension',
      entry: { extension: './src/extension.ts' },
      output: {
        path: path.resolve(__dirname, 'dist'),
        filename: '[name].js',
        chunkFilename: '[name].extension.js',
        libraryTarget: 'commonjs2',
      },
    },
    {
      ...common(mode),
      name: 'cli',
      // cli.js is the small loader users run; it loads cli-bundle.js with a V8 code cache.
      // walkWorker.js: the sync's local walk on a worker thread (engine/sync/prewalk.ts), for both bundles.
      entry: {
        cli: './src/cliLoader.ts',
        'cli-bundle': './src/cli.ts',
        walkWorker: './src/engine/sync/walkWorker.ts',
      },
      output: {
        path: path.resolve(__dirname, 'dist'),
        filename: '[name].js',
        chunkFilename: '[name].cli.js',
        libraryTarget: 'commonjs2',
      },
      plugins: [
        new (require('webpack').BannerPlugin)({
          banner: '#!/usr/bin/env node',
          raw: true,
          entryOnly: true,
          include: /^cli\.js$/,
        }),
      ],
    },
  ];
};
