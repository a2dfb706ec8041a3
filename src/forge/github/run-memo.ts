/**
 * What swarm wrote to GitHub, kept as it wrote it, so the stages of a run read it here instead of asking
 * GitHub again: a spec's dashboard comment and node issues, an issue's keyed comments and blockers, a
 * branch's PR. `swarm worker` keeps it in Redis, shared by every worker of the installation; the CLI and the
 * Action keep it in memory. GitHub stays the record people see: what the memo lacks is read from GitHub
 * (and kept), and `/swarm status` rebuilds a run from GitHub alone.
 *
 * A record is a set of fields. A write to GitHub first marks its field unsure (`?field`), then records the
 * answer: a worker killed in between leaves the mark, and the next reader asks GitHub rather than trust the
 * memo's silence, so nothing is created twice.
 */
export type RunMemo = {
  read(key: string): Promise<Record<string, string>>;
  /** Sets the fields; a null deletes one. */
  write(key: string, fields: Record<string, string | null>): Promise<void>;
};

export const specKey = (spec: number) => `spec:${spec}`;
export const issueKey = (issue: number) => `issue:${issue}`;
/** A PR's record: the reviews swarm posted on it (`all`: every one since swarm opened it). */
export const pullKey = (number: number) => `pull:${number}`;
export const commitKey = (sha: string) => `commit:${sha}`;

export function createMemoryRunMemo(): RunMemo {
  const records = new Map<string, Map<string, string>>();
  return {
    read: async (key) => Object.fromEntries(records.get(key) ?? []),
    write: async (key, fields) => {
      const record = records.get(key) ?? new Map<string, string>();
      for (const [field, value] of Object.entries(fields))
        value === null ? record.delete(field) : record.set(field, value);
      records.set(key, record);
    },
  };
}

/** Writes to GitHub with the field marked unsure until the answer is recorded (as `record` renders it). */
export async function recording<T>(
  memo: RunMemo,
  key: string,
  field: string,
  write: () => Promise<T>,
  record: (made: T) => string,
): Promise<T> {
  await memo.write(key, { [`?${field}`]: "1" });
  const made = await write();
  await remember(memo, key, field, record(made));
  return made;
}

/** Records what GitHub holds for a field (made, or found there), which is then sure. */
export const remember = (memo: RunMemo, key: string, field: string, value: string) =>
  memo.write(key, { [field]: value, [`?${field}`]: null });

/** Whether a write to a field starting with `prefix` may have reached GitHub unrecorded. */
export const unsure = (fields: Record<string, string>, prefix: string) =>
  Object.keys(fields).some((f) => f.startsWith(`?${prefix}`));

/** A field's JSON value, unless it is unsure or missing. */
export function known<T>(fields: Record<string, string>, field: string): T | null {
  const value = fields[field];
  return value === undefined || fields[`?${field}`] !== undefined ? null : (JSON.parse(value) as T);
}
