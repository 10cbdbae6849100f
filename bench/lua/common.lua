-- Shared by the benchmark scripts: report the run as one JSON line that bench.py reads.
function report(summary, latency)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "rps": %.1f, "mean_ms": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency.mean / 1000, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, errors))
end

-- Lines of a file given as the script's first argument.
function lines_of(path)
  local items = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(items, line) end
  end
  return items
end

-- This thread's share of the lines: wrk runs setup() (which numbers the threads) after init(), so the share is
-- taken on the first request.
function share(all, count)
  local mine = {}
  for i = id, #all, count do table.insert(mine, all[i]) end
  return mine
end
