// Architecture rules, checked by `npm run lint:deps` (and shown failing in test/architecture).
// Arrows point inward: entry → pipeline → domain. The domain is pure: no SDK, no adapter, no I/O.
const SDKS = [
  "bullmq",
  "ioredis",
  "probot",
  "simple-git",
  "@octokit/[^/]+",
  "@anthropic-ai/sdk",
  "nock",
  "pino",
];
const sdkPath = `(^|node_modules/)(${SDKS.join("|")})(/|$)`;

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "Import cycles make the layering meaningless and break partial loading; extract the shared part.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-imports-no-sdk",
      comment:
        "src/domain is pure: SDKs belong in adapters (forge, model, queue, workspace) behind interfaces.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { path: sdkPath },
    },
    {
      name: "domain-imports-no-adapter",
      comment: "src/domain may not depend on adapters, stages or entry points; they depend on it.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { path: "^src/(pipeline|forge|model|context|workspace|sandbox|queue|entry)/" },
    },
    {
      name: "domain-does-no-io",
      comment: "src/domain does no I/O: no Node built-ins such as fs, net, http or child_process.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "pipeline-imports-no-sdk",
      comment: "Stages receive adapters as arguments; only adapters import SDKs.",
      severity: "error",
      from: { path: "^src/pipeline/" },
      to: { path: sdkPath },
    },
    {
      name: "only-entry-imports-entry",
      comment: "Entry points only wire things together; nothing else may import them.",
      severity: "error",
      from: { pathNot: "^src/entry/" },
      to: { path: "^src/entry/" },
    },
    {
      name: "no-unresolvable",
      comment: "An import that does not resolve is a typo or a missing dependency.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
