-- GET $BENCH_PATH, optionally authenticated: $BENCH_TOKENS is a comma-separated list of bearer
-- tokens used in turn (each thread starts at a different one).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done
counters = {}

local requests = {}
local n = 0

function init(args)
  local path = common.env("BENCH_PATH", "/")
  local tokens = common.split(common.env("BENCH_TOKENS", ""), ",")
  if #tokens == 0 then
    requests[1] = wrk.format("GET", path)
  else
    for i, token in ipairs(tokens) do
      requests[i] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
    end
  end
  n = (tid or 1) - 1
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end
