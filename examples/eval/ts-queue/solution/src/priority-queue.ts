/** Items by priority, highest first; equal priorities in the order they were pushed. */
export class PriorityQueue<T> {
  private readonly heap: { item: T; priority: number; order: number }[] = [];
  private pushed = 0;

  get size(): number {
    return this.heap.length;
  }

  push(item: T, priority: number): void {
    this.heap.push({ item, priority, order: this.pushed++ });
    this.heap.sort((a, b) => b.priority - a.priority || a.order - b.order);
  }

  pop(): T | undefined {
    return this.heap.shift()?.item;
  }
}
