-- GET requests spread over many vehicles: each line of the file is "<path> <bearer token>".
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local targets, index

function init(args)
  targets = lines_of(args[1])
  index = math.random(#targets)
end

function request()
  index = index % #targets + 1
  local path, token = targets[index]:match("^(%S+) (%S+)$")
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests) report(summary, latency) end
