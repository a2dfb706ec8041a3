/** A todo list in memory: items have an id, a title and whether they are done. */
export function createStore() {
  return { items: [], nextId: 1 };
}

export function add(store, title) {
  const item = { id: store.nextId++, title, done: false };
  store.items.push(item);
  return item;
}

export function list(store) {
  return [...store.items];
}
