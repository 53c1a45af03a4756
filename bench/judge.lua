-- wrk script: case actions over HTTP, each case judged once (`judge` at version 1). Cases
-- 1..KESU_CASES must exist and be unjudged; each wrk thread takes every Nth of them.
--   KESU_TOKEN=ks_… KESU_CASES=20000 wrk -t2 -c16 -d10s -s bench/judge.lua http://127.0.0.1:8080
local token = os.getenv("KESU_TOKEN")
local cases = tonumber(os.getenv("KESU_CASES"))
local threads = {}
local counter = 1

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  first = tonumber(os.getenv("KESU_FIRST") or "1")
  step = #threads > 0 and #threads or 2
  step = tonumber(os.getenv("KESU_THREADS") or step)
  next_id = first + offset - 1
  refused = 0
end

function request()
  local id = next_id
  next_id = next_id + step
  if id > cases then
    id = cases
  end
  return wrk.format("POST", "/api/v1/cases/" .. id .. "/actions", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, [[{"action":"judge","valid":true,"reason":"有开箱照片","version":1}]])
end

function response(status, headers, body)
  if status ~= 200 then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + t:get("refused")
  end
  io.write(string.format("refused: %d\n", n))
end
