import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Memory and process-count limits through cgroups: v2 where the machine has it, else v1's memory and pids
// controllers (what these machines have). `prlimit --nproc` does not bind root, so without a writable
// cgroup those two limits are reported as not enforced rather than pretended.

const ROOT = "/sys/fs/cgroup";

export type CgroupKind = "cgroup-v2" | "cgroup-v1" | "none";

export type Cgroup = {
  kind: CgroupKind;
  /** Files a process writes its pid to, to join the group (and its children with it). */
  procsFiles: string[];
  /** Whether the memory limit killed something, and whether the process limit refused a fork. */
  read(): { oomKilled: boolean; processLimitHit: boolean };
  remove(): Promise<void>;
};

let detected: CgroupKind | undefined;

export function detectCgroups(): CgroupKind {
  if (detected) return detected;
  detected = "none";
  const probe = (dir: string) => {
    try {
      const path = join(dir, `swarm-probe-${process.pid}`);
      mkdirSync(path);
      rmdirSync(path);
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(join(ROOT, "cgroup.controllers"))) {
    const controllers = readFileSync(join(ROOT, "cgroup.controllers"), "utf8");
    if (controllers.includes("memory") && controllers.includes("pids") && probe(ROOT)) detected = "cgroup-v2";
  } else if (probe(join(ROOT, "memory")) && probe(join(ROOT, "pids"))) {
    detected = "cgroup-v1";
  }
  return detected;
}

export function createCgroup(memoryBytes: number, processes: number): Cgroup {
  const kind = detectCgroups();
  const name = `swarm-${randomUUID()}`;
  if (kind === "cgroup-v2") {
    const dir = join(ROOT, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "memory.max"), String(memoryBytes));
    writeFileSync(join(dir, "memory.swap.max"), "0", { flag: "w" });
    writeFileSync(join(dir, "pids.max"), String(processes));
    return {
      kind,
      procsFiles: [join(dir, "cgroup.procs")],
      read: () => ({
        oomKilled: /oom_kill [1-9]/.test(safeRead(join(dir, "memory.events"))),
        processLimitHit: /max [1-9]/.test(safeRead(join(dir, "pids.events"))),
      }),
      remove: () => removeWhenEmpty(dir),
    };
  }
  if (kind === "cgroup-v1") {
    const memory = join(ROOT, "memory", name);
    const pids = join(ROOT, "pids", name);
    mkdirSync(memory);
    mkdirSync(pids);
    writeFileSync(join(memory, "memory.limit_in_bytes"), String(memoryBytes));
    // Without this, a hog spills into swap instead of being stopped.
    if (existsSync(join(memory, "memory.memsw.limit_in_bytes")))
      writeFileSync(join(memory, "memory.memsw.limit_in_bytes"), String(memoryBytes));
    writeFileSync(join(pids, "pids.max"), String(processes));
    return {
      kind,
      procsFiles: [join(memory, "cgroup.procs"), join(pids, "cgroup.procs")],
      read: () => ({
        oomKilled: /oom_kill [1-9]/.test(safeRead(join(memory, "memory.oom_control"))),
        processLimitHit: /max [1-9]/.test(safeRead(join(pids, "pids.events"))),
      }),
      remove: async () => {
        await Promise.all([removeWhenEmpty(memory), removeWhenEmpty(pids)]);
      },
    };
  }
  return {
    kind,
    procsFiles: [],
    read: () => ({ oomKilled: false, processLimitHit: false }),
    remove: async () => {},
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** A cgroup can be removed once its last process is gone, which can take a moment after a kill. */
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
