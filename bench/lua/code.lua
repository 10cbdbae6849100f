-- authorization_code grants, each code minted in advance through the real Connect flow and used once; a thread
-- stops when its codes are used up. args: <file of "code redirect_uri"> <Basic credentials> <thread count>
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local counter = 0
local codes, basic, all_lines, thread_count

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  local all = lines_of(args[1])
  basic = args[2]
  all_lines, thread_count = all, tonumber(args[3])
end

-- wrk calls request() once in the main state and once per thread before the run; neither call is sent.
function request()
  if codes == nil and id then codes = share(all_lines, thread_count) end
  local line = codes and table.remove(codes, 1)
  if line == nil then
    -- Out of codes (or wrk's one check call outside the threads): stop this thread; the request is not counted.
    if wrk.thread then wrk.thread:stop() end
    line = "exhausted http://invalid"
  end
  local code, redirect = line:match("^(%S+) (%S+)$")
  return wrk.format("POST", "/oauth/token", {
    ["Authorization"] = "Basic " .. basic, ["Content-Type"] = "application/x-www-form-urlencoded" },
    "grant_type=authorization_code&code=" .. code .. "&redirect_uri=" .. redirect)
end

function done(summary, latency, requests) report(summary, latency) end
