import type { CheckRun, CommandCheck } from "../../domain/checks/check-run.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import type { AgentTool } from "../../model/run-agent.js";
import type { ShellSession } from "../shell.js";
import type { WorkingCopy } from "../working-copy.js";
import { bashTool } from "./bash-tool.js";
import { finishTool, type Handoff, installTool, runChecksTool } from "./check-tools.js";
import { editorTool, type SyntaxCheck } from "./editor-tool.js";
import type { OwnershipGuard } from "./ownership-guard.js";

/** Characters a view of a file shows before it is cut (the editor's max_characters). */
const VIEW_CHARACTERS = 40_000;

/** What the coder's tools act on: the node's working copy, its shell, its checks. */
export type CoderToolsAt = {
  node: PlanNode;
  copy: WorkingCopy;
  shell: ShellSession;
  guard: OwnershipGuard;
  baseline: CheckRun | null;
  canInstall: boolean;
  runChecks: () => Promise<CheckRun>;
  install: () => Promise<CommandCheck>;
  syntaxCheck?: SyntaxCheck;
  onFinish: (handoff: Handoff) => void;
};

/**
 * The coder's tools. Their definitions depend on the repository's config alone, not on the node, so every
 * coder of a run sends the same ones: they are the start of the run's cached prefix.
 */
export function coderTools(config: RepoConfig, at: CoderToolsAt): AgentTool<never>[] {
  const { guard } = at;
  return [
    bashTool({ shell: at.shell, guard, commandSeconds: config.sandbox.shellSeconds }),
    editorTool({
      copy: at.copy,
      node: at.node,
      protectedPaths: config.protectedPaths,
      maxCharacters: VIEW_CHARACTERS,
      ...(at.syntaxCheck ? { syntaxCheck: at.syntaxCheck } : {}),
    }),
    ...(config.validation.commands.length > 0
      ? [
          runChecksTool({
            commands: config.validation.commands,
            runChecks: at.runChecks,
            baseline: at.baseline,
            guard,
          }),
        ]
      : []),
    ...(config.validation.install
      ? [
          installTool({
            mayInstall: at.canInstall,
            command: config.validation.install,
            install: at.install,
            guard,
          }),
        ]
      : []),
    finishTool(at.onFinish),
  ];
}

/**
 * The coder's tools with nothing behind them, for a call that only writes the cache (it runs no tool): any
 * use of what they would act on throws.
 */
export function detachedCoderTools(config: RepoConfig, node: PlanNode): AgentTool<never>[] {
  const refuse = () => {
    throw new Error("a call that warms the cache runs no tools");
  };
  const nothing = new Proxy({}, { get: () => refuse }) as never;
  return coderTools(config, {
    node,
    copy: nothing,
    shell: nothing,
    guard: nothing,
    baseline: null,
    canInstall: false,
    runChecks: refuse,
    install: refuse,
    onFinish: () => undefined,
  });
}
