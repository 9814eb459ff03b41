/** The README's repository map stays true: every source file of the library is named under its folder. */

import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..");

describe("README repository map", () => {
    it("names every file of components/ and of every component folder", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const map = readme.slice(readme.indexOf("## Repository map"), readme.indexOf("## Quick start"));
        expect(map.length).to.be.greaterThan(500);
        const missing: string[] = [];
        // The top level of components/ too: the library's face and the component package's files.
        for (const f of fs.readdirSync(path.join(ROOT, "components"), { withFileTypes: true }).filter((d) => d.isFile()))
            if (!new RegExp(`(^|[\\s·(])${f.name.replace(/\./g, "\\.")}\\b`, "m").test(map)) missing.push(`components/${f.name}`);
        for (const folder of fs.readdirSync(path.join(ROOT, "components"), { withFileTypes: true }).filter((d) => d.isDirectory())) {
            const files = fs.readdirSync(path.join(ROOT, "components", folder.name)).filter((f) => f !== "README.md");
            for (const f of files)
                if (!new RegExp(`(^|[\\s·(])${f.replace(/\./g, "\\.")}\\b`, "m").test(map)) missing.push(`components/${folder.name}/${f}`);
        }
        expect(missing).to.deep.equal([]);
    });
});
