// A tiny static file server for the built notebooks (no dependencies): `npm run notebooks:preview` runs it on
// the build output, and the browser test (test/notebooks/browser.test.ts) imports `serveDirectory`. The
// notebooks must be served over http (their scripts are ES modules), and only to this machine.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/**
 * Serves the files under `root` on http://host:port/ (a directory serves its index.html; a missing
 * /favicon.ico is answered 204 so that browsers log no error). Port 0 picks a free port.
 * @param {string} root
 * @param {{host?: string, port?: number}} [options]
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function serveDirectory(root, options = {}) {
  const base = resolve(root);
  const host = options.host ?? '127.0.0.1';
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      let file = resolve(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (body === null) {
        res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(400).end();
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ok(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise((ok) => server.close(() => ok(undefined))),
  };
}

// `node notebooks/serve.js [--port N]`: serve the build output (npm run notebooks) until interrupted.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const site = fileURLToPath(new URL('./dist/site/', import.meta.url));
  const i = process.argv.indexOf('--port');
  const port = Number(i > 0 ? process.argv[i + 1] : (process.env.PORT ?? 3000));
  if (!(await stat(join(site, 'index.html')).catch(() => null))) {
    process.stderr.write(`No built notebooks in ${site}: run \`npm run notebooks\` first.\n`);
    process.exit(1);
  }
  const { url } = await serveDirectory(site, { port });
  process.stdout.write(`Notebooks: ${url}  (Ctrl-C to stop)\n`);
}
