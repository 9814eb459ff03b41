import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { expect } from "chai";
import { ChecksumWriter } from "../../../stacks/ops/checksumWriter";
import {
    isDrillId,
    newDrillId,
    parseChecksum,
    VERIFY_JOB,
    verifyGroovy,
    WRITE_JOB,
    writeGroovy,
    writeJobXml,
} from "../../../stacks/ops/drillPayload";
import { JenkinsClient, JenkinsError } from "../../../stacks/ops/jenkinsClient";
import { FakeClock } from "../../support/fakes/fakeClock";
import { FakeJenkins } from "../../support/fakes/fakeJenkins";

describe("tools: Jenkins client and drill writer (real fetch against a local fake Jenkins)", () => {
    let jenkins: FakeJenkins;
    let url: string;

    beforeEach(async () => {
        jenkins = new FakeJenkins();
        url = await jenkins.start();
    });
    afterEach(() => jenkins.stop());

    const client = (kind: "token" | "password", secret?: string) =>
        new JenkinsClient({
            baseUrl: `${url}/`,
            user: "admin",
            secretKind: kind,
            secret: secret ?? (kind === "token" ? jenkins.credentials.token : jenkins.credentials.password),
        });

    it("probes /login anonymously and reports 0 when nothing listens", async () => {
        expect(await client("token").loginStatus()).to.equal(200);
        jenkins.loginStatus = () => 503;
        expect(await client("token").loginStatus()).to.equal(503);
        expect(jenkins.requests.every((r) => r.path !== "/login" || r.auth === "none")).to.equal(true);
        const dead = new JenkinsClient({ baseUrl: "http://127.0.0.1:1", user: "a", secret: "b", secretKind: "token" });
        expect(await dead.loginStatus(1000)).to.equal(0);
    });

    it("with a password, fetches a crumb once and sends it with the session cookie on every POST", async () => {
        const c = client("password");
        await c.upsertJob("demo", writeJobXml());
        await c.upsertJob("demo", writeJobXml());
        const posts = jenkins.requests.filter((r) => r.method === "POST");
        expect(posts.map((r) => r.path)).to.deep.equal(["/createItem?name=demo", "/job/demo/config.xml"]);
        expect(posts.every((r) => r.crumb && r.auth === "password")).to.equal(true);
        expect(jenkins.requests.filter((r) => r.path === "/crumbIssuer/api/json")).to.have.length(1);
    });

    it("with an API token, sends no crumb (Jenkins exempts token requests)", async () => {
        await client("token").upsertJob("demo", writeJobXml());
        expect(jenkins.requests.some((r) => r.path === "/crumbIssuer/api/json")).to.equal(false);
        expect(jenkins.requests.find((r) => r.method === "POST")).to.include({ auth: "token", crumb: false });
    });

    it("names the fix when credentials are wrong", async () => {
        const e = await client("token", "wrong")
            .whoAmI()
            .catch((x: Error) => x);
        expect(e).to.be.instanceOf(JenkinsError);
        expect((e as JenkinsError).status).to.equal(401);
        expect((e as Error).message).to.match(/Check the user and API token\/password/);
    });

    it("job writer: creates both jobs on the built-in node, runs the real shell and reads sha1sum from the console", async () => {
        jenkins.numExecutors = 2;
        const w = new ChecksumWriter(client("password"), new FakeClock(), { mode: "auto" });
        const sha1 = await w.write("drill-1");
        expect(await w.mode()).to.equal("job");
        const file = readFileSync(jenkins.drillFile("drill-1"));
        expect(file.length).to.equal(10 * 1024 * 1024);
        expect(sha1).to.equal(createHash("sha1").update(file).digest("hex"));
        expect(jenkins.jobs.get(WRITE_JOB)).to.include("<assignedNode>built-in</assignedNode>");
        expect(await w.verify("drill-1")).to.deep.equal({ sha1 });
        expect(jenkins.jobs.has(VERIFY_JOB)).to.equal(true);
        // The build was triggered with the id as a parameter and read back through the queue path, not Jenkins' own URL.
        expect(jenkins.requests.map((r) => r.path)).to.include.members([
            `/job/${WRITE_JOB}/buildWithParameters?DRILL_ID=drill-1`,
            "/queue/item/101/api/json",
            `/job/${WRITE_JOB}/1/consoleText`,
        ]);
    });

    it("job writer detects a changed file and a missing file", async () => {
        jenkins.numExecutors = 1;
        const w = new ChecksumWriter(client("token"), new FakeClock(), { mode: "job" });
        const sha1 = await w.write("drill-2");
        writeFileSync(jenkins.drillFile("drill-2"), "corrupted");
        const changed = await w.verify("drill-2");
        expect(changed).to.have.property("sha1").that.not.equals(sha1);
        const missing = await w.verify("never-written");
        expect(missing).to.have.property("missing", true);
    });

    it("auto falls back to the script console when the controller has no executors (the chart default)", async () => {
        const logs: string[] = [];
        const w = new ChecksumWriter(client("password"), new FakeClock(), { mode: "auto", log: (l) => logs.push(l) });
        const sha1 = await w.write("drill-3");
        expect(await w.mode()).to.equal("script");
        expect(logs[0]).to.match(/script \(built-in node has 0 executors\)/);
        expect(jenkins.jobs.size).to.equal(0);
        expect(sha1).to.equal(
            createHash("sha1")
                .update(readFileSync(jenkins.drillFile("drill-3")))
                .digest("hex"),
        );
        expect(await w.verify("drill-3")).to.deep.equal({ sha1 });
        expect(jenkins.requests.filter((r) => r.path === "/scriptText").every((r) => r.crumb)).to.equal(true);
    });

    it("--writer job refuses a controller without executors instead of queueing forever", async () => {
        const w = new ChecksumWriter(client("token"), new FakeClock(), { mode: "job" });
        const e = await w.write("drill-4").catch((x: Error) => x);
        expect((e as Error).message).to.match(/needs executors on the built-in node.*--writer script/s);
    });
});

describe("tools: drill payload", () => {
    it("ids are UTC-stamped, unique-suffixed and safe in shell, XML and Groovy", () => {
        const id = newDrillId("failover", Date.UTC(2026, 2, 1, 10, 15, 0), () => 0.5);
        expect(id).to.equal("failover-20260301t101500z-8000");
        expect(isDrillId(id)).to.equal(true);
        for (const bad of ["a b", "x';rm -rf /", "../x", "", "a".repeat(65)]) {
            expect(isDrillId(bad), bad).to.equal(false);
            expect(() => writeGroovy(bad)).to.throw(/Invalid drill id/);
        }
    });

    it("the write job fsyncs the 2022 reference architecture's 10 MiB, prunes old drill files and guards the parameter", () => {
        const xml = writeJobXml();
        expect(xml).to.include("dd if=/dev/urandom of=&quot;$JENKINS_HOME/drill/$DRILL_ID.bin&quot; bs=1M count=10 conv=fsync");
        expect(xml).to.include("-mtime +7 -delete");
        expect(xml).to.include("*[!A-Za-z0-9_-]*) echo");
        expect(xml).to.include("<name>DRILL_ID</name>");
    });

    it("Groovy writes through an fsynced stream and verify reports a missing file", () => {
        expect(writeGroovy("x1")).to.include("out.getFD().sync()").and.include("new File(dir, 'x1.bin')");
        expect(verifyGroovy("x1")).to.include("println 'MISSING '");
    });

    it("parses sha1sum lines only for the drill's own file", () => {
        const out =
            "+ sha1sum /var/jenkins_home/drill/abc.bin\n683df872bb28d55c449914957b635c34f65719d8  /var/jenkins_home/drill/abc.bin\nFinished: SUCCESS";
        expect(parseChecksum(out, "abc")).to.equal("683df872bb28d55c449914957b635c34f65719d8");
        expect(parseChecksum(out, "ab")).to.equal(undefined);
        expect(parseChecksum("683df872bb28d55c449914957b635c34f65719d8 ./validation.dump", "abc")).to.equal(undefined);
    });
});
