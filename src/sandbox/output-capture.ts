/**
 * Keeps the start and the end of a stream within a budget, and counts everything, so a command that prints
 * a gigabyte costs a few kilobytes of memory and the agent still sees how the output began and ended.
 */
export function createOutputCapture(keepBytes: number) {
  const half = Math.floor(keepBytes / 2);
  let head = Buffer.alloc(0);
  const tail: Buffer[] = [];
  let tailBytes = 0;
  let total = 0;
  return {
    push(chunk: Buffer) {
      total += chunk.length;
      if (head.length < half) {
        const take = chunk.subarray(0, half - head.length);
        head = Buffer.concat([head, take]);
        chunk = chunk.subarray(take.length);
      }
      if (chunk.length === 0) return;
      tail.push(chunk);
      tailBytes += chunk.length;
      while (tail.length > 1 && tailBytes - (tail[0]?.length ?? 0) >= half)
        tailBytes -= tail.shift()?.length ?? 0;
    },
    get total() {
      return total;
    },
    text(): { text: string; truncated: boolean; cutBytes: number } {
      const end = Buffer.concat(tail);
      const kept = end.subarray(Math.max(0, end.length - half));
      const cut = total - head.length - kept.length;
      if (cut <= 0)
        return { text: Buffer.concat([head, kept]).toString("utf8"), truncated: false, cutBytes: 0 };
      return {
        text: `${head.toString("utf8")}\n… [${cut} bytes cut] …\n${kept.toString("utf8")}`,
        truncated: true,
        cutBytes: cut,
      };
    },
  };
}
