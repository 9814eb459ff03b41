/**
 * The documentation checks: every config key the program reads (and every key Pulumi.yaml declares) has a row in
 * the configuration reference, stacks/config/README.md; the README stays a landing page (≤ 300 lines); every
 * relative link in every Markdown file points at a file that exists.
 *
 * Keys are collected two ways, and the union must be documented:
 * - by evaluating the stack's config readers (`readStackConfig`, as a primary and as a DR stack) while recording every
 *   `ConfigReader#raw` and `#isSet` — this catches keys whatever helper builds their names (e.g. `jenkinsConfigKey`);
 * - by scanning stacks/config/*.ts for literal keys passed to the reader, so keys read only on branches the two
 *   evaluations do not take are not missed.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { readStackConfig } from "../../../stacks/config";
import { jenkinsConfigKey } from "../../../stacks/config/jenkins";
import { ConfigReader } from "../../../stacks/config/reader";
import { useStack } from "../../support/mocks";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PROJECT = "ha-jenkins-eks";
const REFERENCE = path.join(ROOT, "stacks", "config", "README.md");
/** Namespaces whose keys the reference documents. */
const NAMESPACES = [PROJECT, "aws"];

/** How a full key is written in the reference: project keys without the namespace, others in full. */
const docName = (fullKey: string) => (fullKey.startsWith(`${PROJECT}:`) ? fullKey.slice(PROJECT.length + 1) : fullKey);

/** Every key `loadConfig` reads, as a primary and as a DR stack (full keys, `namespace:key`). */
function keysReadByEvaluation(): Set<string> {
    const read = new Set<string>();
    // Every read goes through ConfigReader#raw or #isSet (the reader reads Pulumi's config once, then from its copy).
    const proto = ConfigReader.prototype as unknown as Record<"raw" | "isSet", (this: ConfigReader, key: string) => unknown>;
    const originals = { raw: proto.raw, isSet: proto.isSet };
    for (const m of ["raw", "isSet"] as const) {
        proto[m] = function (this: ConfigReader, key: string) {
            read.add(this.fullKey(key));
            return originals[m].call(this, key);
        };
    }
    try {
        for (const role of ["primary", "dr"]) {
            useStack("dev", { "aws:region": "us-west-2", [`${PROJECT}:role`]: role, [`${PROJECT}:primaryStack`]: "o/p/s" });
            readStackConfig();
        }
    } finally {
        Object.assign(proto, originals);
        useStack("dev", { "aws:region": "us-west-2" });
    }
    return new Set([...read].filter((k) => NAMESPACES.includes(k.split(":")[0])));
}

/**
 * Literal keys in the reader sources: `r.<method>("key"`, `aws.<method>("key"` (the `aws:` reader) and, in
 * jenkins.ts, `k("field")`, which names `jenkinsConfigKey(field)`.
 */
function keysInReaderSources(): Set<string> {
    const dir = path.join(ROOT, "stacks", "config");
    const keys = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "reader.ts")) {
        const source = fs.readFileSync(path.join(dir, file), "utf8");
        for (const m of source.matchAll(/\b(r|aws|awsConfig)\.(\w+)(?:<[^>()]*>)?\(\s*"([A-Za-z][A-Za-z0-9]*)"/g)) {
            if (m[2] === "fail" || m[2] === "fullKey") continue;
            keys.add(`${m[1] === "r" ? PROJECT : "aws"}:${m[3]}`);
        }
        for (const m of source.matchAll(/\bk\(\s*"([A-Za-z][A-Za-z0-9]*)"\s*\)/g)) keys.add(`${PROJECT}:${jenkinsConfigKey(m[1])}`);
    }
    return keys;
}

/** Keys declared in Pulumi.yaml (bare keys belong to the project). */
function keysInPulumiYaml(): Set<string> {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config?: Record<string, unknown> };
    return new Set(Object.keys(doc.config ?? {}).map((k) => (k.includes(":") ? k : `${PROJECT}:${k}`)));
}

/** Table rows of the reference whose first cell is one backticked key: key → the row's other cells. */
function documentedKeys(markdown: string): Map<string, string[]> {
    const rows = new Map<string, string[]>();
    for (const line of withoutFences(markdown).split("\n")) {
        const m = /^\|\s*`([A-Za-z][A-Za-z0-9:]*)`\s*\|(.*)\|\s*$/.exec(line);
        if (m)
            rows.set(
                m[1],
                m[2].split(/(?<!\\)\|/).map((c) => c.trim()),
            );
    }
    return rows;
}

/** Markdown without fenced code blocks (``` or ~~~, also indented inside lists). */
function withoutFences(markdown: string): string {
    return markdown.replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^[ \t]*\1[ \t]*$/gm, "");
}

/** Every Markdown file of the repository (no dependencies, no build output, no VCS data). */
function markdownFiles(dir = ROOT): string[] {
    const skip = new Set(["node_modules", ".git", "bin"]);
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (skip.has(e.name)) return [];
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return markdownFiles(full);
        return e.name.endsWith(".md") ? [full] : [];
    });
}

/** Relative link targets of a Markdown document: inline links and images, and reference definitions. */
function relativeLinks(markdown: string): string[] {
    const text = withoutFences(markdown).replace(/`[^`\n]*`/g, "");
    const targets = [
        ...[...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
        ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]),
    ];
    return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** The anchors GitHub gives a document's headings: lowercased, punctuation dropped, spaces to '-', repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const m of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const base = m[1]
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    return anchors;
}

/** A link's file (resolved against the linking file; the linking file itself for `#anchor`) and its anchor. */
function resolveLink(file: string, target: string): { resolved: string; anchor?: string } {
    const [filePart, anchor] = target.split("#", 2);
    const plain = decodeURI(filePart.split("?")[0]);
    const resolved = plain === "" ? file : plain.startsWith("/") ? path.join(ROOT, plain) : path.resolve(path.dirname(file), plain);
    return { resolved, anchor: anchor || undefined };
}

describe("documentation", () => {
    describe("the configuration reference (stacks/config/README.md)", () => {
        let documented: Map<string, string[]>;
        let evaluated: Set<string>;
        let scanned: Set<string>;
        let declared: Set<string>;
        before(() => {
            documented = documentedKeys(fs.readFileSync(REFERENCE, "utf8"));
            evaluated = keysReadByEvaluation();
            scanned = keysInReaderSources();
            declared = keysInPulumiYaml();
        });

        it("collects the keys it checks (each way finds a full set)", () => {
            expect(evaluated.size, "keys read by loadConfig").to.be.greaterThan(130);
            expect(scanned.size, "keys found in stacks/config/*.ts").to.be.greaterThan(130);
            expect(declared.size, "keys declared in Pulumi.yaml").to.be.greaterThan(90);
            for (const key of ["ha-jenkins-eks:jenkinsNamespace", "ha-jenkins-eks:primaryStack", "aws:region", "ha-jenkins-eks:azCount"]) {
                expect(evaluated.has(key), `${key} read by loadConfig`).to.equal(true);
            }
        });

        it("documents every key the code reads", () => {
            const missing = [...new Set([...evaluated, ...scanned])]
                .map(docName)
                .filter((k) => !documented.has(k))
                .sort();
            expect(missing, "keys the code reads with no row in stacks/config/README.md").to.deep.equal([]);
        });

        it("documents every key Pulumi.yaml declares", () => {
            const missing = [...declared]
                .map(docName)
                .filter((k) => !documented.has(k))
                .sort();
            expect(missing, "keys in Pulumi.yaml with no row in stacks/config/README.md").to.deep.equal([]);
        });

        it("documents no key the code does not read", () => {
            const read = new Set([...evaluated, ...scanned].map(docName));
            const stale = [...documented.keys()].filter((k) => !read.has(k)).sort();
            expect(stale, "rows in stacks/config/README.md for keys nothing reads").to.deep.equal([]);
        });

        it("gives every key a type, a default, a meaning and an example", () => {
            const incomplete = [...documented].filter(([, cells]) => cells.length !== 4 || cells.some((c) => c === "")).map(([k]) => k);
            expect(incomplete, "rows without Type | Default | Meaning | Example").to.deep.equal([]);
        });
    });

    it("keeps README.md a landing page of at most 300 lines", () => {
        const lines = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").replace(/\n$/, "").split("\n");
        expect(lines.length).to.be.at.most(300);
    });

    it("has no relative link to a missing file in any Markdown file", () => {
        const files = markdownFiles();
        expect(files.map((f) => path.relative(ROOT, f))).to.include.members(["README.md", "stacks/config/README.md"]);
        const broken: string[] = [];
        for (const file of files) {
            for (const target of relativeLinks(fs.readFileSync(file, "utf8"))) {
                if (!fs.existsSync(resolveLink(file, target).resolved)) broken.push(`${path.relative(ROOT, file)} → ${target}`);
            }
        }
        expect(broken, "relative links to missing files").to.deep.equal([]);
    });

    it("has no link to a missing heading of a Markdown file", () => {
        const broken: string[] = [];
        for (const file of markdownFiles()) {
            for (const target of relativeLinks(fs.readFileSync(file, "utf8"))) {
                const { resolved, anchor } = resolveLink(file, target);
                if (anchor === undefined || !resolved.endsWith(".md") || !fs.existsSync(resolved)) continue;
                if (!headingAnchors(fs.readFileSync(resolved, "utf8")).has(anchor)) broken.push(`${path.relative(ROOT, file)} → ${target}`);
            }
        }
        expect(broken, "links to headings that do not exist").to.deep.equal([]);
    });
});
