import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.json': 'application/json',
  '.ttf': 'font/ttf',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** A running static server: its base URL and how to stop it. */
export interface StaticServer {
  server: Server;
  base: string;
  close: () => Promise<void>;
}

/**
 * Serves files under root on 127.0.0.1 (any port), with the cross-origin-isolation headers
 * when asked; `extra` maps URL paths to files outside root. Returns the server and its base URL.
 */
export async function serveDir(
  root: string,
  opts: { isolated?: boolean; extra?: Record<string, string>; log?: string[] } = {},
): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = opts.extra?.[path] ?? join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    const headers: Record<string, string> = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' };
    if (opts.isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    readFile(file).then(
      (body) => res.writeHead(200, headers).end(body),
      () => {
        opts.log?.push(`server: 404 ${path}`);
        res.writeHead(404).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, base, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
