// Lua scripts for the run's state in Redis. Each runs atomically, so two workers finishing nodes at the same
// moment cannot both release (or both miss) a common dependent. KEYS, in order, for every script:
//   1 state      hash node → pending | ready | running | done | failed | blocked | cancelled
//   2 remaining  hash node → dependencies not yet done
//   3 dependents hash node → comma-separated ids of the nodes that depend on it
//   4 ready      sorted set of ready nodes, scored by priority (highest first)
//   5 meta       hash: max (parallel nodes), running (dispatched or running now), cancelled, plan, context,
//                gen (bumped by each rerun), feedback:<node>, rerun:<key>, settled:<gen>
//   6 priority   hash node → priority
// All six share one hash tag ({run-<id>}), so on Redis Cluster they live in one slot.

/** Moves ready nodes to running while the run has room, highest priority first; returns them. */
const DISPATCH = `
local function dispatch()
  local out = {}
  if redis.call('HGET', KEYS[5], 'cancelled') == '1' then return out end
  local running = tonumber(redis.call('HGET', KEYS[5], 'running') or '0')
  local max = tonumber(redis.call('HGET', KEYS[5], 'max') or '1')
  while running < max do
    local top = redis.call('ZPOPMAX', KEYS[4])
    if #top == 0 then break end
    redis.call('HSET', KEYS[1], top[1], 'running')
    running = running + 1
    table.insert(out, top[1])
  end
  redis.call('HSET', KEYS[5], 'running', running)
  return out
end
`;

/** Redis's clock in ms, as `now`: the same for every worker, whatever their own clocks say. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** A node that is not finished: ready (and in the ready set) when nothing it waits for is left, else pending. */
const QUEUE_NODE = `
local function queue_node(node, remaining, priority)
  if remaining == 0 then
    redis.call('HSET', KEYS[1], node, 'ready')
    redis.call('ZADD', KEYS[4], priority, node)
  else
    redis.call('HSET', KEYS[1], node, 'pending')
  end
end
`;

/** ARGV: max, plan JSON, context JSON, then (node, remaining, dependents, priority) for each node. */
export const START = `${DISPATCH}${QUEUE_NODE}
if redis.call('HSETNX', KEYS[5], 'max', ARGV[1]) == 0 then return {} end
redis.call('HSET', KEYS[5], 'running', 0, 'cancelled', 0, 'plan', ARGV[2], 'context', ARGV[3])
for i = 4, #ARGV, 4 do
  local node, remaining, dependents, priority = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], tonumber(ARGV[i + 3])
  redis.call('HSET', KEYS[2], node, remaining)
  redis.call('HSET', KEYS[3], node, dependents)
  redis.call('HSET', KEYS[6], node, priority)
  queue_node(node, remaining, priority)
end
return dispatch()
`;

/** 1 the first time (per generation) that every node has finished; 0 otherwise. */
const SETTLED = `
local function settled()
  if tonumber(redis.call('HGET', KEYS[5], 'running') or '0') > 0 then return 0 end
  for _, s in ipairs(redis.call('HVALS', KEYS[1])) do
    if s == 'pending' or s == 'ready' or s == 'running' then return 0 end
  end
  return redis.call('HSETNX', KEYS[5], 'settled:' .. (redis.call('HGET', KEYS[5], 'gen') or '0'), 1)
end
`;

/**
 * ARGV: node, outcome (done | failed | cancelled). Only a running node can finish, so a duplicate or stale
 * completion changes nothing. Returns { nodes to dispatch, nodes newly blocked, 1 if the run just settled,
 * the generation it settled in }.
 */
export const FINISH = `${DISPATCH}${SETTLED}
local node, outcome = ARGV[1], ARGV[2]
if redis.call('HGET', KEYS[1], node) ~= 'running' then return {{}, {}, 0, 0} end
redis.call('HSET', KEYS[1], node, outcome)
redis.call('HINCRBY', KEYS[5], 'running', -1)
local blocked = {}
if outcome == 'done' then
  for d in string.gmatch(redis.call('HGET', KEYS[3], node) or '', '[^,]+') do
    if redis.call('HINCRBY', KEYS[2], d, -1) == 0 and redis.call('HGET', KEYS[1], d) == 'pending' then
      redis.call('HSET', KEYS[1], d, 'ready')
      redis.call('ZADD', KEYS[4], tonumber(redis.call('HGET', KEYS[6], d)), d)
    end
  end
elseif outcome == 'failed' then
  local queue = {node}
  while #queue > 0 do
    local current = table.remove(queue)
    for d in string.gmatch(redis.call('HGET', KEYS[3], current) or '', '[^,]+') do
      local s = redis.call('HGET', KEYS[1], d)
      if s == 'pending' or s == 'ready' then
        redis.call('HSET', KEYS[1], d, 'blocked')
        redis.call('ZREM', KEYS[4], d)
        table.insert(blocked, d)
        table.insert(queue, d)
      end
    end
  end
end
local out = dispatch()
return {out, blocked, settled(), tonumber(redis.call('HGET', KEYS[5], 'gen') or '0')}
`;

/**
 * ARGV: key, then (node, feedback or '') pairs. Puts the listed nodes (not running) back to pending, counts
 * for each its dependencies that are not done, and dispatches the ready ones. Returns { 1, dispatched },
 * { 0, {} } when the key was used before, or { -1, {} } when this Redis does not hold the run.
 */
export const RERUN = `${DISPATCH}${QUEUE_NODE}
if redis.call('HEXISTS', KEYS[5], 'max') == 0 then return {-1, {}} end
if redis.call('HSETNX', KEYS[5], 'rerun:' .. ARGV[1], 1) == 0 then return {0, {}} end
redis.call('HINCRBY', KEYS[5], 'gen', 1)
redis.call('HSET', KEYS[5], 'cancelled', 0)
local listed = {}
for i = 2, #ARGV, 2 do
  local node = ARGV[i]
  if redis.call('HGET', KEYS[1], node) ~= 'running' then
    listed[node] = 0
    redis.call('HSET', KEYS[1], node, 'pending')
    if ARGV[i + 1] == '' then
      redis.call('HDEL', KEYS[5], 'feedback:' .. node)
    else
      redis.call('HSET', KEYS[5], 'feedback:' .. node, ARGV[i + 1])
    end
  end
end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i + 1] ~= 'done' then
    for d in string.gmatch(redis.call('HGET', KEYS[3], all[i]) or '', '[^,]+') do
      if listed[d] ~= nil then listed[d] = listed[d] + 1 end
    end
  end
end
for node, remaining in pairs(listed) do
  redis.call('HSET', KEYS[2], node, remaining)
  queue_node(node, remaining, tonumber(redis.call('HGET', KEYS[6], node) or '0'))
end
return {1, dispatch()}
`;

/** Stops the run: queued nodes are cancelled; returns the running ones (to remove if not started yet). */
export const CANCEL = `
redis.call('HSET', KEYS[5], 'cancelled', 1)
redis.call('DEL', KEYS[4])
local running = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local node, s = all[i], all[i + 1]
  if s == 'pending' or s == 'ready' then redis.call('HSET', KEYS[1], node, 'cancelled') end
  if s == 'running' then table.insert(running, node) end
end
return running
`;

/** Dispatches what has room (after a restart, or to re-add jobs lost between a script and the queue). */
export const DISPATCH_ONLY = `${DISPATCH}
return dispatch()
`;

/**
 * A run this Redis does not hold (it was lost, or the run was started elsewhere), set up at the states the
 * forge shows. ARGV: max, plan JSON, context JSON, then (node, status, dependencies, dependents, priority,
 * feedback) for each node, lists comma-separated. Finished nodes keep their status; a node that depends on a
 * failed or blocked one is blocked; the others are pending, or ready when every dependency is done. A node
 * queued here is marked adopted (at Redis's clock), so its job waits for the claims of coders still at work.
 * Returns { 1, dispatched }, or { 0, {} } when the run is known.
 */
export const ADOPT = `${DISPATCH}${SETTLED}${QUEUE_NODE}${NOW}
if redis.call('HSETNX', KEYS[5], 'max', ARGV[1]) == 0 then return {0, {}} end
redis.call('HSET', KEYS[5], 'running', 0, 'cancelled', 0, 'plan', ARGV[2], 'context', ARGV[3])
local status, deps = {}, {}
for i = 4, #ARGV, 6 do status[ARGV[i]] = ARGV[i + 1]; deps[ARGV[i]] = ARGV[i + 2] end
local function finished(s) return s == 'done' or s == 'failed' or s == 'blocked' or s == 'cancelled' end
-- Blocked spreads along the edges until nothing changes (a worker may have died before it said so).
local changed = true
while changed do
  changed = false
  for node, s in pairs(status) do
    if not finished(s) then
      for d in string.gmatch(deps[node], '[^,]+') do
        if status[d] == 'failed' or status[d] == 'blocked' then status[node] = 'blocked'; changed = true; break end
      end
    end
  end
end
for i = 4, #ARGV, 6 do
  local node, dependents, priority, feedback = ARGV[i], ARGV[i + 3], tonumber(ARGV[i + 4]), ARGV[i + 5]
  local s = status[node]
  redis.call('HSET', KEYS[3], node, dependents)
  redis.call('HSET', KEYS[6], node, priority)
  local remaining = 0
  for d in string.gmatch(deps[node], '[^,]+') do
    if status[d] ~= 'done' then remaining = remaining + 1 end
  end
  redis.call('HSET', KEYS[2], node, remaining)
  if finished(s) then
    redis.call('HSET', KEYS[1], node, s)
  else
    redis.call('HSET', KEYS[5], 'adopted:' .. node, now)
    if feedback ~= '' then redis.call('HSET', KEYS[5], 'feedback:' .. node, feedback) end
    queue_node(node, remaining, priority)
  end
end
-- A run adopted finished is marked settled, so it does not settle again: settling is for what finishes later.
settled()
return {1, dispatch()}
`;

/**
 * KEYS: the run's claims hash (node → "holder|last beat, ms on Redis's clock"), its meta hash. ARGV: node,
 * holder, stale after (ms), grace after adoption (ms). Claims the node when no live holder has it (none,
 * one whose beat is stale, or this holder) and it was not adopted within the grace (a coder still at work
 * after Redis was lost writes its claim back within a beat): 1, else 0.
 */
export const CLAIM = `${NOW}
local stale = tonumber(ARGV[3])
local adopted = redis.call('HGET', KEYS[2], 'adopted:' .. ARGV[1])
if adopted and tonumber(adopted) > now - tonumber(ARGV[4]) then return 0 end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local holder, at = string.match(current, '^(.*)|(%d+)$')
  if holder ~= ARGV[2] and at and tonumber(at) > now - stale then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. now)
return 1
`;

/**
 * KEYS: the claims hash. ARGV: node, holder. The holder's beat: its claim is renewed, or written back when
 * it is missing (Redis was lost); a claim another holder took over (this one was stale) is left alone.
 */
export const BEAT = `${NOW}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[2] + 1) ~= ARGV[2] .. '|' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. now)
return 1
`;

/** KEYS: the claims hash. ARGV: node, holder. Lets go of the node's claim if this holder has it. */
export const RELEASE_CLAIM = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;
