// A TCP forwarder in front of Kodi that the test can close and open: while closed it drops every incoming
// connection, so the test decides when the adapter can reconnect (e.g. only after playback has started).
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpGate {
  readonly port: number;
  readonly url: string;
  setOpen(open: boolean): void;
  /** Connections accepted and forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startTcpGate(targetPort: number): Promise<TcpGate> {
  let open = true;
  let forwarded = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    sockets.add(upstream);
    upstream.once("close", () => sockets.delete(upstream));
    upstream.on("error", () => undefined);
    upstream.once("connect", () => forwarded++);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `ws://127.0.0.1:${port}/jsonrpc`,
    setOpen: (value) => {
      open = value;
    },
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
