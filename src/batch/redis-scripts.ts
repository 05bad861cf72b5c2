/**
 * The Lua scripts of Redis mode (redis.ts). Each runs atomically in Redis, so the service replicas and
 * the workers never see a batch half-written. Keys of a batch `<id>` (prefix `pluralign:batch:<id>`):
 * the record hash, `:out` (line → output line), `:by` (worker → lines written), `:ids` (line → its
 * custom_id as JSON, for lines cancelled before they ran), `:started` (lines a worker began while the
 * batch was in progress). Per owner: `pluralign:batches:<owner>` (sorted set, every batch kept) and
 * `pluralign:batches-open:<owner>` (set, the batches still in progress or cancelling).
 *
 * Quota. The owner's unfinished work is derived from the stored records of its open batches, in the
 * same script that stores a new batch: lines = total − (ok + failed + cancelled) of each open batch,
 * bytes = the input bytes of each open batch (as the embedded queue counts them). There is no counter
 * to leak: a line stops counting in the script that records its result (once, HSETNX), whichever worker
 * records it and however often it ran, and a batch leaves the open set in the script that finishes it.
 *
 * Retention. The script that finishes a batch (the last line recorded, or a cancel that leaves no line
 * running) sets EXPIRE on all its keys to the batch's retention (BATCH_RETENTION_SECONDS of the service
 * that stored it, kept in the record), so Redis deletes them then; ids left in the owner's sorted set
 * are dropped when listed and, oldest first, when the owner stores a batch.
 *
 * Batch ids and owners are built into key names inside the scripts, so they assume one Redis (not a
 * cluster), as BullMQ's queue does.
 */

export const BATCH_PREFIX = 'pluralign:batch:';
export const OWNER_PREFIX = 'pluralign:batches:';
export const OPEN_PREFIX = 'pluralign:batches-open:';

/**
 * inFlight(set): the unfinished lines and bytes of the open batches in `set`, dropping any that is
 * finished or gone. It reads every open batch of the owner: a handful in practice (each holds at least
 * one line of the quota), at most BATCH_QUOTA_LINES one-line batches.
 */
const IN_FLIGHT_FN = `
local function inFlight(set)
  local lines, bytes = 0, 0
  for _, b in ipairs(redis.call('SMEMBERS', set)) do
    local m = redis.call('HMGET', '${BATCH_PREFIX}' .. b, 'total', 'ok', 'failed', 'cancelled', 'status', 'bytes')
    if m[5] == 'in_progress' or m[5] == 'cancelling' then
      lines = lines + tonumber(m[1]) - tonumber(m[2]) - tonumber(m[3]) - tonumber(m[4])
      bytes = bytes + tonumber(m[6] or '0')
    else
      redis.call('SREM', set, b)
    end
  end
  return lines, bytes
end`;

/** KEYS[1] open set → {lines, bytes} in flight. */
export const IN_FLIGHT = `${IN_FLIGHT_FN}
return {inFlight(KEYS[1])}`;

/**
 * Check the quota and store a batch record, in one step. KEYS: record, owner's sorted set, owner's
 * open set. ARGV: id, owner, total, bytes, quota lines, quota bytes (0 = none), now (s), metadata,
 * score (ms), retention (s). → {1, lines, bytes} stored, or {0, lines, bytes} refused (nothing stored),
 * with the owner's work in flight before this batch (not counted, 0, without a quota).
 */
export const CREATE = `${IN_FLIGHT_FN}
local ql, qb = tonumber(ARGV[5]), tonumber(ARGV[6])
local lines, bytes = 0, 0
if ql > 0 or qb > 0 then lines, bytes = inFlight(KEYS[3]) end
if (ql > 0 and lines + tonumber(ARGV[3]) > ql) or (qb > 0 and bytes + tonumber(ARGV[4]) > qb) then
  return {0, lines, bytes}
end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'status', 'in_progress', 'total', ARGV[3], 'ok', '0',
  'failed', '0', 'cancelled', '0', 'created_at', ARGV[7], 'in_progress_at', ARGV[7], 'metadata', ARGV[8],
  'bytes', ARGV[4], 'retention', ARGV[10])
redis.call('ZADD', KEYS[2], ARGV[9], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
for _, b in ipairs(redis.call('ZRANGE', KEYS[2], 0, 19)) do
  if redis.call('EXISTS', '${BATCH_PREFIX}' .. b) == 0 then redis.call('ZREM', KEYS[2], b) end
end
return {1, lines, bytes}`;

/** Set a batch's final status, close it for the quota and start its retention. */
const FINISH = `
local function finish(meta, id, status, field, t)
  redis.call('HSET', meta, 'status', status, field, t)
  redis.call('SREM', '${OPEN_PREFIX}' .. redis.call('HGET', meta, 'owner'), id)
  redis.call('DEL', meta .. ':started')
  local keep = tonumber(redis.call('HGET', meta, 'retention') or '0')
  if keep > 0 then
    for _, k in ipairs({meta, meta .. ':out', meta .. ':by', meta .. ':ids'}) do redis.call('EXPIRE', k, keep) end
  end
end
local function done(meta)
  local m = redis.call('HMGET', meta, 'total', 'ok', 'failed', 'cancelled', 'status')
  return tonumber(m[2]) + tonumber(m[3]) + tonumber(m[4]) >= tonumber(m[1]), m[5]
end`;

/**
 * A worker is about to run a line. KEYS: record, out. ARGV: line. → 'run' (marked started), 'gone'
 * (the batch was deleted), 'done' (the line is already recorded), or the batch's status when it is no
 * longer in progress (cancelling: record the line as cancelled).
 */
export const START = `
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return 'gone' end
if s ~= 'in_progress' then return s end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 'done' end
redis.call('HSET', KEYS[1] .. ':started', ARGV[1], '1')
return 'run'`;

/**
 * Record a line's result once (a line re-run after a crash or a stalled lock is written once, the
 * second result is dropped), count it, and finish the batch once every line is in. KEYS: record, out,
 * by. ARGV: line, output JSON, counter (ok, failed, cancelled), now (s), worker name, batch id.
 */
export const RECORD = `${FINISH}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
local all, status = done(KEYS[1])
if all then
  if status == 'cancelling' then finish(KEYS[1], ARGV[6], 'cancelled', 'cancelled_at', ARGV[4])
  elseif status == 'in_progress' then finish(KEYS[1], ARGV[6], 'completed', 'completed_at', ARGV[4]) end
end
return 1`;

/**
 * Cancel a batch, lines ARGV[3]…ARGV[4] at a time (the first call, from line 1, sets `cancelling`;
 * later calls go on while it is). Every line not recorded and not started is recorded as cancelled
 * (its output line built from `:ids`); lines running finish and are recorded by their worker. KEYS:
 * record, out, ids. ARGV: now (s), batch id, first line, last line, the cancelled line's error as JSON.
 * → lines cancelled, or -1 when the batch is not (or no longer) being cancelled.
 */
export const CANCEL = `${FINISH}
local all, status = done(KEYS[1])
local first = tonumber(ARGV[3])
if first == 1 then
  if status ~= 'in_progress' or all then return -1 end
  redis.call('HSET', KEYS[1], 'status', 'cancelling', 'cancelling_at', ARGV[1])
elseif status ~= 'cancelling' then return -1 end
local started = KEYS[1] .. ':started'
local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
local n = 0
for l = first, math.min(total, tonumber(ARGV[4])) do
  local k = tostring(l)
  if redis.call('HEXISTS', KEYS[2], k) == 0 and redis.call('HEXISTS', started, k) == 0 then
    local cid = redis.call('HGET', KEYS[3], k)
    if cid then
      redis.call('HSET', KEYS[2], k, '{"id":"' .. ARGV[2] .. '_' .. k .. '","custom_id":' .. cid ..
        ',"response":null,"error":' .. ARGV[5] .. '}')
      n = n + 1
    end
  end
end
if n > 0 then redis.call('HINCRBY', KEYS[1], 'cancelled', n) end
if done(KEYS[1]) then finish(KEYS[1], ARGV[2], 'cancelled', 'cancelled_at', ARGV[1]) end
return n`;
