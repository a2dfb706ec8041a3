// The dashboard's approval checkbox: a GitHub task-list item that a person ticks in the comment itself.

export const APPROVAL_LABEL = "Approve this plan and start coding";
export const APPROVAL_BOX = `- [ ] ${APPROVAL_LABEL}`;

const box = (ticked: boolean) =>
  new RegExp(`^\\s*[-*] \\[${ticked ? "[xX]" : " "}\\] ${APPROVAL_LABEL}\\s*$`, "m");

/**
 * Whether an edit of a comment ticked the approval box: unticked before, ticked after. Any other edit
 * (swarm re-rendering its dashboard, a person unticking it, text changed around it) is not a tick.
 */
export function approvalTicked(before: string | null, after: string): boolean {
  return before !== null && box(false).test(before) && !box(true).test(before) && box(true).test(after);
}
