-- POST /api/auth/register with a new address each time ($BENCH_RUN_ID, thread and counter make
-- it unique) and the strong password $BENCH_PASSWORD. Counts response statuses.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done
counters = {}

local n = 0
local prefix
local password
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  password = assert(common.env("BENCH_PASSWORD", nil), "BENCH_PASSWORD is required")
  prefix = string.format("reg-%s-t%d-", common.env("BENCH_RUN_ID", "x"), tid or 1)
end

function request()
  n = n + 1
  local body = string.format('{"email":"%s%d@bench.test","password":"%s"}', prefix, n, password)
  return wrk.format("POST", "/api/auth/register", headers, body)
end

function response(status, headers, body)
  common.count("status_" .. status)
end
