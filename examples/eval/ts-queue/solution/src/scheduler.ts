import { PriorityQueue } from "./priority-queue.js";

export type Job = { name: string; priority: number };

/** Jobs waiting to run. */
export class Scheduler {
  private readonly jobs = new PriorityQueue<Job>();

  add(job: Job): void {
    this.jobs.push(job, job.priority);
  }

  /** The job to run next: the most urgent. */
  next(): Job | undefined {
    return this.jobs.pop();
  }
}
