import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions } from "node:https";

/**
 * Serves `handle` on 127.0.0.1 at a free port, with each request's body read in full first. A handler
 * that throws answers 500 with the error, so a fake's bug shows up in the test instead of hanging it.
 * With `tls`, over HTTPS (e.g. demanding a client certificate, like LINSTOR's API with apiTLS).
 */
export async function serveOnLoopback(
    handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
    tls?: ServerOptions,
): Promise<{ server: Server; port: number }> {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            try {
                handle(req, res, Buffer.concat(chunks).toString("utf8"));
            } catch (e) {
                res.writeHead(500, { "content-type": "text/plain" });
                res.end(String(e));
            }
        });
    };
    const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    return { server, port: typeof address === "object" && address ? address.port : 0 };
}
