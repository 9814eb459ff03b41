/**
 * A local fake of the EC2 Query API (form-encoded POST, XML answers) for the real @aws-sdk/client-ec2
 * pointed at `endpoint: http://127.0.0.1:<port>` with dummy credentials.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { serveOnLoopback } from "./loopback";

export interface FakeInstance {
    state: string;
    zone: string;
    tags: Record<string, string>;
}

const NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
const CODES: Record<string, number> = { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 };

export class FakeEc2 {
    readonly instances = new Map<string, FakeInstance>();
    readonly calls: { action: string; params: Record<string, string> }[] = [];
    /** Runs when an instance is terminated or stopped (tests start their failure timeline here). */
    onFail: (instanceId: string, action: string) => void = () => undefined;
    private server?: Server;
    endpoint = "";

    async start(): Promise<void> {
        const { server, port } = await serveOnLoopback((req, res, body) => this.handle(req, res, body));
        this.server = server;
        this.endpoint = `http://127.0.0.1:${port}`;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
        const params = Object.fromEntries(new URLSearchParams(body));
        const action = params.Action ?? "";
        this.calls.push({ action, params });
        const xml = (status: number, text: string) => {
            res.writeHead(status, { "content-type": "text/xml;charset=UTF-8" });
            res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
        };
        const id = params["InstanceId.1"];
        const inst = id === undefined ? undefined : this.instances.get(id);
        if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256")) {
            return xml(401, error("AuthFailure", "unsigned request"));
        }
        if (!inst) return xml(400, error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`));
        const state = (name: string) => `<code>${CODES[name]}</code><name>${name}</name>`;
        switch (action) {
            case "DescribeInstances": {
                const tags = Object.entries(inst.tags)
                    .map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`)
                    .join("");
                return xml(
                    200,
                    `<DescribeInstancesResponse xmlns="${NS}"><requestId>req-1</requestId><reservationSet><item>` +
                        `<reservationId>r-1</reservationId><instancesSet><item><instanceId>${id}</instanceId>` +
                        `<instanceState>${state(inst.state)}</instanceState><placement><availabilityZone>${inst.zone}</availabilityZone></placement>` +
                        `<tagSet>${tags}</tagSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`,
                );
            }
            case "TerminateInstances":
            case "StopInstances": {
                const terminate = action === "TerminateInstances";
                const previous = inst.state;
                inst.state = terminate ? "shutting-down" : "stopping";
                this.onFail(id, action);
                return xml(
                    200,
                    `<${action}Response xmlns="${NS}"><requestId>req-2</requestId><instancesSet><item><instanceId>${id}</instanceId>` +
                        `<currentState>${state(inst.state)}</currentState><previousState>${state(previous)}</previousState></item></instancesSet></${action}Response>`,
                );
            }
            default:
                return xml(400, error("InvalidAction", `The action ${action} is not valid for this web service.`));
        }
    }
}

function error(code: string, message: string): string {
    return `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-e</RequestID></Response>`;
}
