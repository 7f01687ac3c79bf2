-- Initiate + terminate with the mock provider. Thread i uses the i-th token of $BENCH_TOKENS
-- (one user per thread; the server runs with a large VOIP_MAX_ACTIVE_CALLS_PER_USER). Every
-- initiated call is terminated by a later request of the same thread: request() sends a
-- terminate when a call id is waiting, else an initiate to $BENCH_PHONE.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done
counters = {}

local auth
local initiate
local pending = {}
local first, last = 1, 0

function init(args)
  local tokens = common.split(common.env("BENCH_TOKENS", ""), ",")
  assert(#tokens > 0, "BENCH_TOKENS is required")
  local token = tokens[(((tid or 1) - 1) % #tokens) + 1]
  auth = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  local phone = common.env("BENCH_PHONE", "+447911123456")
  initiate = wrk.format("POST", "/api/calls/initiate", auth, '{"phone_number":"' .. phone .. '"}')
end

function request()
  if first <= last then
    local call_id = pending[first]
    pending[first] = nil
    first = first + 1
    return wrk.format("POST", "/api/calls/terminate", auth, '{"call_id":"' .. call_id .. '"}')
  end
  return initiate
end

function response(status, headers, body)
  local call_id = string.match(body, '"call_id"%s*:%s*"([^"]+)"')
  if status == 200 and string.find(body, '"session_id"', 1, true) and call_id then
    last = last + 1
    pending[last] = call_id
    common.count("initiate_200")
  elseif status == 200 then
    common.count("terminate_200")
  else
    common.count("status_" .. status)
  end
end
