-- wrk script: DDI base polls spread round-robin over all registered terminals.
-- Usage: wrk -tN ... -s poll.lua URL -- PAIRS_FILE N   (lines "serial token")
--
-- Every request string is built once per wrk thread in init(), so request()
-- only indexes a table: the Lua side must stay cheap, wrk shares the CPUs
-- with the server being measured. Each of the N threads takes every Nth
-- terminal (a million terminals: about 20 s and 350 MB per thread to build).

local next_id = 0

function setup(thread)
  -- Give each wrk thread its own starting offset so the threads do not poll
  -- the same terminal at the same moment.
  thread:set("tid", next_id)
  next_id = next_id + 1
end

local reqs, n, i

function init(args)
  local path = assert(args[1], "pass the serial/token file after --")
  local threads = tonumber(args[2] or "1")
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
  i = 0
end

function request()
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
