-- refresh_token grants along rotation chains: each answer's new refresh token is used for a later request.
-- args: <file of refresh tokens> <Basic credentials> <thread count>
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local counter, threads = 0, {}
local tokens, basic, all_lines, thread_count

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local all = lines_of(args[1])
  basic = args[2]
  all_lines, thread_count = all, tonumber(args[3])
end

-- wrk calls request() once in the main state and once per thread before the run; neither call is sent.
function request()
  if tokens == nil and id then tokens = share(all_lines, thread_count) end
  local token = tokens and table.remove(tokens, 1) or "unused"
  return wrk.format("POST", "/oauth/token", {
    ["Authorization"] = "Basic " .. basic, ["Content-Type"] = "application/x-www-form-urlencoded" },
    "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  local token = body:match('"refresh_token":"([^"]+)"')
  if token then table.insert(tokens, token) end
end

function done(summary, latency, requests) report(summary, latency) end
