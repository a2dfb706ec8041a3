/** A todo list in memory: items have an id, a title and whether they are done. */
export type Item = { id: number; title: string; done: boolean };
export type Store = { items: Item[]; nextId: number };

export function createStore(): Store {
  return { items: [], nextId: 1 };
}

export function add(store: Store, title: string): Item {
  const item = { id: store.nextId++, title, done: false };
  store.items.push(item);
  return item;
}

export function list(store: Store): Item[] {
  return [...store.items];
}
