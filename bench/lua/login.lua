-- POST /api/auth/login with correct credentials of the seeded users (the throttle counts only
-- failed logins): emails string.format($BENCH_EMAIL_FORMAT, 1..$BENCH_EMAIL_COUNT), password
-- $BENCH_PASSWORD. Counts response statuses.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done
counters = {}

local requests = {}
local n = 0

function init(args)
  local format = common.env("BENCH_EMAIL_FORMAT", "u%04d@bench.test")
  local count = tonumber(common.env("BENCH_EMAIL_COUNT", "1000"))
  local password = assert(common.env("BENCH_PASSWORD", nil), "BENCH_PASSWORD is required")
  local headers = { ["Content-Type"] = "application/json" }
  for i = 1, count do
    local body = string.format('{"email":"%s","password":"%s"}', string.format(format, i), password)
    requests[i] = wrk.format("POST", "/api/auth/login", headers, body)
  end
  n = ((tid or 1) - 1) * 397
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

function response(status, headers, body)
  common.count("status_" .. status)
end
