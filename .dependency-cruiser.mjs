// Import boundaries of src/, checked by `npm run lint` (dependency-cruiser). Why this tool: it sees every edge the
// TypeScript sources declare — `import type` included (tsPreCompilationDeps) — and checks the whole graph at once.
// eslint-plugin-import-x's no-cycle skips type-only imports by design, so the cycles through `import type` that
// this repository had (every CLI command → cli/main.ts → every command) are invisible to it.
// test/lint/boundaries.test.ts plants a cycle and a forbidden import in a copy of src/ and shows these rules fail.

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-cycle",
      comment: "No import cycles at all, type-only imports included: a cycle means two modules are really one, or a shared type lives in the wrong room.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "adapters-only-use-the-contract",
      comment:
        "A player adapter (src/players/**) translates its player's protocol into PlaybackEvents and nothing more: it may use src/core, src/util, its config section's types and the adapter contract — never the outbox, Trakt, identification or scrobble internals.",
      severity: "error",
      from: { path: "^src/players/" },
      to: { path: "^src/", pathNot: ["^src/(core|util|players)/", "^src/config/sections/", "^src/version\\.ts$"] },
    },
    {
      name: "adapters-use-config-sections-as-types-only",
      comment: "Config sections are zod schemas: an adapter takes its section's type, never the schema (the daemon validates).",
      severity: "error",
      from: { path: "^src/players/" },
      to: { path: "^src/config/sections/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "core-knows-no-adapter-and-no-app",
      comment: "The core (events, state machine, identification, outbox) knows no player and nothing of the programs built on it.",
      severity: "error",
      from: { path: "^src/(core|scrobble|identify|outbox)/" },
      to: { path: "^src/(players|daemon|cli|compose|doctor|emulator|demo|dashboard)/" },
    },
    {
      name: "util-is-a-leaf",
      comment: "src/util holds helpers every room may use; it imports nothing else from src/.",
      severity: "error",
      from: { path: "^src/util/" },
      to: { path: "^src/", pathNot: "^src/util/" },
    },
    {
      name: "emulator-only-for-tools",
      comment: "The Trakt emulator is a test and demo tool: in src/ only the demo and the doctor may use it (tests live outside src/).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(emulator|demo|doctor)/" },
      to: { path: "^src/emulator/" },
    },
    {
      name: "commands-load-their-work-lazily",
      comment:
        "cli/commands.ts registers every command (name, options, help) at each start: it loads a command's work (cli/actions/) with `await import()` in the action, so one command never pays for the others. cli/main.ts loads the program (commander) only for what cli/quick-commands.ts does not dispatch itself.",
      severity: "error",
      from: { path: "^src/cli/(main|entry|commands|program|quick-commands)\\.ts$" },
      to: { path: "^src/", pathNot: "^src/(cli/(main|options|commands|program|quick-commands)\\.ts|version\\.ts)$", dependencyTypesNot: ["type-only", "dynamic-import"] },
    },
    {
      name: "quick-commands-skip-commander",
      comment: "A plain `healthcheck` or `status` never builds the command-line program: cli/main.ts and cli/quick-commands.ts load commander only through `await import()` of cli/program.ts.",
      severity: "error",
      from: { path: "^src/cli/(main|quick-commands)\\.ts$" },
      to: { path: "node_modules/commander/|^src/cli/(program|commands)\\.ts$", dependencyTypesNot: ["type-only", "dynamic-import"] },
    },
    {
      name: "dashboard-loads-on-first-request",
      comment:
        "The web dashboard (src/dashboard/) adds nothing to a daemon nobody looks at: the HTTP server imports it with `await import()` on the first request for it; everything else may only take its types.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/dashboard/" },
      to: { path: "^src/dashboard/", dependencyTypesNot: ["type-only", "dynamic-import"] },
    },
    {
      name: "run-reaches-no-test-tools",
      comment: "`run` (the daemon) never loads the emulator or the demo, on any path.",
      severity: "error",
      from: { path: "^src/(cli/actions/run\\.ts$|daemon/|compose/)" },
      to: { path: "^src/(emulator|demo)/", reachable: true },
    },
    {
      name: "short-commands-stay-short",
      comment:
        "`healthcheck` and `status` (Docker runs healthcheck every 30 s) ask the daemon over HTTP: they load nothing of the daemon, the players, the core, Trakt, the accounts, the doctor, the emulator or the demo, and no QR code.",
      severity: "error",
      from: { path: "^src/cli/actions/(healthcheck|status)\\.ts$" },
      to: { path: "^src/(daemon|compose|players|scrobble|identify|outbox|trakt|accounts|secrets|doctor|emulator|demo|notify|dashboard)/|node_modules/qrcode/", reachable: true },
    },
    {
      name: "notifications-load-lazily",
      comment:
        "The notifier (src/notify/) is loaded with `await import()` only when the config names a target: the daemon, the doctor and the CLI reach it by a dynamic import or for types, never by a static one.",
      severity: "error",
      from: { path: "^src/(daemon|compose|doctor|cli)/" },
      to: { path: "^src/notify/", dependencyTypesNot: ["type-only", "dynamic-import"] },
    },
    {
      name: "notify-reads-activity-not-internals",
      comment: "The notifier hears what happens through the activity stream (src/core/activity.ts): it imports no outbox, engine, identifier, accounts, Trakt or player code.",
      severity: "error",
      from: { path: "^src/notify/" },
      to: { path: "^src/(outbox|scrobble|identify|accounts|trakt|players|daemon|compose|secrets)/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
  },
};
