/** A running static server: its base URL (ending in "/") and a function that stops it. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves the files under `root` on http://host:port/ (default host 127.0.0.1, port 0 = a free port). */
export function serveDirectory(root: string, options?: { host?: string; port?: number }): Promise<Served>;
