// The plugin's entry (package.json `main`). pulumi-language-nodejs starts a plugin in the consumer's working directory
// and @pulumi/pulumi 3.276.0 cmd/run-plugin/run.js registers ts-node with the tsconfig.json found THERE (or, without
// one, its defaults: ES2020, nodenext, type-checked, not strict), which cannot compile these sources. So switch that
// ts-node service off (ts-node 10 chains the .ts handlers; an inactive service passes files through) and compile this
// package with its own tsconfig.json. Transpile-only: `npm test` type-checks the same sources with it.
const path = require("node:path");
const tsnode = require("ts-node");

process[tsnode.REGISTER_INSTANCE]?.enabled(false);
tsnode.register({ project: path.join(__dirname, "tsconfig.json"), transpileOnly: true });
module.exports = require("./provider.ts");
