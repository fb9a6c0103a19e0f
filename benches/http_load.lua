-- wrk script for benches/http_load.sh: POST /v1/screen with the workload's
-- transactions, each thread taking every Nth line of the file so that no
-- id repeats until the file is used up (a repeated id gets the recorded
-- decision back, which is faster than screening).
local lines_file = os.getenv("LOAD_TXS")
local token = os.getenv("LOAD_TOKEN")
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  bodies = {}
  local n = 0
  local k = 0
  local total = tonumber(os.getenv("LOAD_THREADS") or "1")
  for line in io.lines(lines_file) do
    if k % total == id then
      n = n + 1
      bodies[n] = line
    end
    k = k + 1
  end
  count = n
  next_body = 0
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

function request()
  next_body = next_body + 1
  if next_body > count then next_body = 1 end
  return wrk.format("POST", "/v1/screen", headers, bodies[next_body])
end

function done(summary, latency, requests)
  io.write(string.format("requests/s %.0f | p50 %.2f ms | p90 %.2f ms | p99 %.2f ms | max %.2f ms | non-2xx %d | errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
