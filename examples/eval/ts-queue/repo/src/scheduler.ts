export type Job = { name: string; priority: number };

/** Jobs waiting to run. */
export class Scheduler {
  private readonly jobs: Job[] = [];

  add(job: Job): void {
    this.jobs.push(job);
  }

  /** The job to run next. */
  next(): Job | undefined {
    return this.jobs.shift();
  }
}
