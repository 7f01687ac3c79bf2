-- Shared by the wrk scripts of bench/run.sh: environment helpers, thread numbering and the JSON
-- summary each run writes to $BENCH_OUT.
--
-- Each wrk thread runs the scenario script in its own Lua state; setup() and done() run in the
-- main state. Scripts set `counters` (a global table) in their thread states; done() adds them up.

local M = {}
local threads = {}

function M.env(name, default)
  local value = os.getenv(name)
  if value == nil or value == "" then
    return default
  end
  return value
end

function M.split(text, sep)
  local out = {}
  if text == nil or text == "" then
    return out
  end
  for item in string.gmatch(text, "([^" .. sep .. "]+)") do
    out[#out + 1] = item
  end
  return out
end

-- Numbers threads 1..n (global `tid` in each thread state, set before init()).
function M.setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

function M.count(key)
  counters[key] = (counters[key] or 0) + 1
end

local function json_string(s)
  return '"' .. string.gsub(tostring(s), '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

function M.done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counters")
    if type(c) == "table" then
      for key, value in pairs(c) do
        totals[key] = (totals[key] or 0) + value
      end
    end
  end
  local counter_parts = {}
  for key, value in pairs(totals) do
    counter_parts[#counter_parts + 1] = json_string(key) .. ":" .. string.format("%d", value)
  end
  local e = summary.errors
  local json = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"threads":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"min":%d,"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f,"stdev":%.1f},'
      .. '"counters":{%s}}\n',
    summary.requests, summary.duration, summary.bytes, #threads,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean, latency.stdev,
    table.concat(counter_parts, ",")
  )
  local path = M.env("BENCH_OUT", nil)
  if path then
    local file = assert(io.open(path, "w"))
    file:write(json)
    file:close()
  else
    io.write(json)
  end
end

return M
