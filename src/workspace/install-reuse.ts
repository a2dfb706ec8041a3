import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandCheck } from "../domain/checks/check-run.js";
import { DEPENDENCY_FILES } from "../domain/checks/dependency-files.js";
import { gitRaw } from "./git-workspace.js";

// What an install may leave in the working copy for another copy to reuse: installed dependencies only.
const REUSABLE = new Set(["node_modules", ".venv"]);
const KEPT = 20;

export type InstallReuse = (
  dir: string,
  command: string,
  install: () => Promise<CommandCheck>,
) => Promise<CommandCheck>;

/**
 * Each node has its own working copy, and installing dependencies in each is most of a small node's time.
 * When the install step left nothing in its copy but installed dependencies (`node_modules`, `.venv`), they
 * are kept, right after the install and before any agent runs there, and a later copy with the same
 * dependency files and install command gets a copy of them instead of installing again. An install that
 * writes anything else (a build of the sources, say) is run in every copy, as before.
 */
export function createInstallReuse(root = join(tmpdir(), `swarm-installs-${process.pid}`)): InstallReuse {
  const kept = new Map<string, Promise<{ dir: string; folders: string[] } | null>>();
  return async (dir, command, install) => {
    const key = await keyOf(dir, command);
    const known = kept.get(key);
    if (known) {
      const template = await known;
      if (template) {
        const started = performance.now();
        for (const folder of template.folders) await copyTree(join(template.dir, folder), join(dir, folder));
        return {
          command,
          exitCode: 0,
          passed: true,
          skipped: false,
          seconds: (performance.now() - started) / 1000,
          limitsHit: [],
          failures: [],
          output: `Installed by copying ${template.folders.join(" and ")} from another working copy with the same dependency files, where \`${command}\` ran.`,
        };
      }
    }
    const result = install();
    const template = result
      .then(async (r) => (r.passed ? keep(dir, join(root, key)) : null))
      .catch(() => null);
    kept.set(key, template);
    if (kept.size > KEPT) {
      const [oldest, dropped] = kept.entries().next().value as [string, Promise<{ dir: string } | null>];
      kept.delete(oldest);
      void dropped.then((t) => t && rm(t.dir, { recursive: true, force: true }));
    }
    const r = await result;
    await template;
    return r;
  };
}

/**
 * The installed dependency folders of `dir`, copied to `into`; null when the install left anything else
 * (a changed tracked file, such as a rewritten lockfile, or any other new file).
 */
async function keep(dir: string, into: string): Promise<{ dir: string; folders: string[] } | null> {
  const out = await gitRaw(dir, "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=normal");
  const entries = out.split("\0").filter(Boolean);
  const folders = entries.map((e) => e.slice(3).replace(/\/$/, ""));
  const onlyNew = entries.every((e) => e.startsWith("?? ") || e.startsWith("!! "));
  if (folders.length === 0 || !onlyNew || folders.some((path) => !REUSABLE.has(path))) return null;
  await rm(into, { recursive: true, force: true });
  await mkdir(into, { recursive: true });
  for (const folder of folders) await copyTree(join(dir, folder), join(into, folder));
  return { dir: into, folders };
}

// Files anywhere in the tree that say what an install installs: manifests and lockfiles (a workspace's too),
// package managers' settings, and the versions of the toolchains.
const INSTALL_INPUTS = new Set([
  ...DEPENDENCY_FILES,
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
  "pnpm-workspace.yaml",
  ".nvmrc",
  ".node-version",
  ".python-version",
  "setup.py",
  "setup.cfg",
]);

/** The install command and every tracked file that decides what it installs, by git's hash of each. */
async function keyOf(dir: string, command: string): Promise<string> {
  const hash = createHash("sha256").update(command);
  const tracked = await gitRaw(dir, "ls-files", "-s", "-z");
  for (const entry of tracked.split("\0")) {
    const path = entry.slice(entry.indexOf("\t") + 1);
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (INSTALL_INPUTS.has(name) || /^requirements.*\.txt$/.test(name)) hash.update(`\0${entry}`);
  }
  return hash.digest("hex").slice(0, 24);
}

/** A folder copied with its symlinks and modes, by coreutils' cp (three times faster than fs.cp here). */
function copyTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("cp", ["-a", "--", from, to], (error) => (error ? reject(error) : resolve())),
  );
}
