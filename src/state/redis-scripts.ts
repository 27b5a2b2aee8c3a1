/**
 * Lua scripts of the Redis state. The page commit runs as one script so that it takes effect only
 * while the run holds its source's lease, and all of it or none: page result, fingerprints, cursor
 * (never backwards), failures and conflicts. Argument layout: see commitPage in redis-state.ts.
 */

export const ACQUIRE = `
local h = redis.call('GET', KEYS[1])
if (not h) or h == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ''
end
return h`;

export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

// Keyset order of cursors: ISO UTC timestamps compare as text; ids numerically when both are numbers.
export const COMMIT = `
local holder = redis.call('GET', KEYS[1])
if holder ~= ARGV[1] then return holder or '' end
redis.call('HDEL', KEYS[11], ARGV[2])
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
  if ARGV[4] ~= '' then
    local n = cjson.decode(ARGV[4])
    local move = n.updatedAt ~= cjson.null
    local raw = redis.call('GET', KEYS[3])
    if move and raw then
      local o = cjson.decode(raw)
      if o.updatedAt ~= cjson.null then
        if n.updatedAt < o.updatedAt then move = false
        elseif n.updatedAt == o.updatedAt then
          local a, b = tonumber(n.lastId), tonumber(o.lastId)
          if a and b then move = a > b else move = tostring(n.lastId) > tostring(o.lastId) end
        end
      end
    end
    if move then redis.call('SET', KEYS[3], ARGV[4]) end
  end
  local i = 8
  for _ = 1, tonumber(ARGV[7]) do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]); i = i + 2 end
  local nf = tonumber(ARGV[i]); i = i + 1
  for _ = 1, nf do redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]); i = i + 2 end
  local nc = tonumber(ARGV[i]); i = i + 1
  for _ = 1, nc do redis.call('HDEL', KEYS[5], ARGV[i]); i = i + 1 end
  local nk = tonumber(ARGV[i]); i = i + 1
  for _ = 1, nk do
    redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 1])
    redis.call('HSET', KEYS[7], ARGV[i + 2], ARGV[i])
    redis.call('ZADD', KEYS[8], ARGV[i + 3], ARGV[i])
    if ARGV[i + 4] == 'open' then redis.call('HSET', KEYS[10], ARGV[i], 1) else redis.call('HDEL', KEYS[10], ARGV[i]) end
    i = i + 5
  end
  local na = tonumber(ARGV[i]); i = i + 1
  for _ = 1, na do redis.call('HDEL', KEYS[9], ARGV[i]); i = i + 1 end
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 'ok'`;
