-- wrk script: DDI base polls spread round-robin over all registered terminals.
-- Usage: wrk -tN ... -s poll.lua URL -- PAIRS_FILE N [READY_FILE [ORDER]]   (lines "serial token")
--
-- Every request string is built once per wrk thread in init(), so request()
-- only indexes a table: the Lua side must stay cheap, wrk shares the CPUs
-- with the server being measured. Each of the N threads takes every Nth
-- terminal (a million terminals: about 20 s and 350 MB per thread to build).
--
-- READY_FILE (a path that does not exist yet): wrk runs each thread's init()
-- on its main thread and starts that thread at once, so thread 1 polls while
-- thread 2 builds its requests, and the clock of the run (-d) starts only
-- after the last init(); those polls would count in req/s over a duration
-- that leaves them out (at a million terminals, ~20 s of one thread's polls
-- over a 10 s run). With READY_FILE every thread's first real request waits
-- until the last thread's init() has created the file, and run.sh starts its
-- CPU count when the file appears.
--
-- ORDER: "serial" (the default) polls each thread's terminals in the order of the file, so
-- terminals polled one after another sit side by side in the database; "random" shuffles each
-- thread's list once (a fixed seed per thread), as a fleet's polls arrive in no particular order.

local next_id = 0

function setup(thread)
  -- Give each wrk thread its own starting offset so the threads do not poll
  -- the same terminal at the same moment.
  thread:set("tid", next_id)
  next_id = next_id + 1
end

local reqs, n, i
local ready_path, waiting, verified

function init(args)
  local path = assert(args[1], "pass the serial/token file after --")
  local threads = tonumber(args[2] or "1")
  ready_path = args[3]
  local order = args[4] or "serial"
  assert(order == "serial" or order == "random", "ORDER is serial or random, not " .. order)
  waiting = ready_path ~= nil
  -- wrk calls request() of the first thread once on its main thread to check
  -- the request (script_verify_request); that call must not wait.
  verified = tid ~= 0
  reqs = {}
  local k = 0
  for line in io.lines(path) do
    if k % threads == tid % threads then
      local serial, token = line:match("^(%S+)%s+(%S+)$")
      if serial then
        reqs[#reqs + 1] = wrk.format("GET", "/DEFAULT/controller/v1/" .. serial,
                                     { ["Authorization"] = "TargetToken " .. token })
      end
    end
    k = k + 1
  end
  n = #reqs
  assert(n > 0, "no terminals in " .. path)
  if order == "random" then
    math.randomseed(1000 + tid)
    for j = n, 2, -1 do
      local r = math.random(j)
      reqs[j], reqs[r] = reqs[r], reqs[j]
    end
  end
  i = 0
  if waiting and tid == threads - 1 then
    assert(io.open(ready_path, "w")):close()
    waiting = false
  end
end

local function wait_until_ready()
  if not verified then
    verified = true
    return
  end
  while true do
    local f = io.open(ready_path, "r")
    if f then f:close(); break end
    os.execute("sleep 0.02")
  end
  waiting = false
end

function request()
  if waiting then wait_until_ready() end
  i = i % n + 1
  return reqs[i]
end

-- wrk's own summary rounds and mixes units; print one parseable line instead.
-- http_errors counts replies with status >= 400 (a 401 is cheap and would
-- flatter the server, so run.sh refuses a run that has any).
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d http_errors=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
